"""The README's example (examples/motion.py) against two real capture processes, and the offline pip install."""

import os
import shutil
import subprocess
import sys

from conftest import CLIENT, wait_until

import framebus


def test_motion_example_reports_motion_on_the_moving_pattern_only(ring_dir, capture):
    capture(os.path.join(ring_dir, "moving.ring"), "moving", "testsrc:size=320x240:rate=25:pattern=testsrc2",
            pixelFormat="YUV420P")
    capture(os.path.join(ring_dir, "still.ring"), "still", "testsrc:size=320x240:rate=25:pattern=color:color=gray",
            pixelFormat="BGR24")
    for name in ("moving", "still"):
        wait_until(lambda: name in framebus.cameras(ring_dir), 60, f"camera {name}")
    r = subprocess.run([sys.executable, os.path.join(CLIENT, "examples", "motion.py"), "--dir", ring_dir,
                        "--duration", "8", "--threshold", "0.5"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "watching moving, still"
    assert any(l.startswith("moving: motion started, score") for l in lines), r.stdout
    assert not any(l.startswith("still: motion") for l in lines), r.stdout


def test_pip_installs_the_package_offline_without_build_isolation(tmp_path):
    """The documented command, in a virtual environment that sees Debian's numpy, setuptools and wheel; built from a
    copy so that the checkout gets no build/ or egg-info folders."""
    src = tmp_path / "src"
    shutil.copytree(CLIENT, src, ignore=shutil.ignore_patterns("tests", "__pycache__", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index", str(src)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([str(venv / "bin" / "python"), "-c", "import framebus; print(framebus.__file__, "
                        "framebus.SUPPORTED_VERSIONS)"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert str(venv) in r.stdout and "(1,)" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([str(venv / "bin" / "framebus-ring"), "--list", "--dir", str(tmp_path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "", r.stderr
