// The framebus status page: polls api/cameras once a second while the page is visible, refreshes each camera's
// thumbnail (a scaled-down snapshot) about once a second, opens the live MJPEG preview on a click and closes its
// connection when the preview is closed. Every text from the server goes into text nodes, never into HTML.
'use strict';

const POLL_MILLIS = 1000;
const THUMB_MILLIS = 1000;
const THUMB_WIDTH = 320;
const STATE_CLASS = {
  STREAMING: 's-ok', STARTING: 's-busy', CONNECTING: 's-busy', RECONNECTING: 's-busy', RESTARTING: 's-busy',
  STALLED: 's-bad', FAILED: 's-bad', INVALID: 's-bad', STOPPED: 's-off', ELSEWHERE: 's-off', UNPLACED: 's-bad'
};

const rows = new Map(); // camera id -> row controller
const tbody = document.querySelector('#cameras tbody');
let pollTimer = null;
let polling = false;

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) {
    e.append(c);
  }
  return e;
}

function age(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function cameraRow(id) {
  const thumb = el('img', {className: 'thumb', alt: 'thumbnail of ' + id, hidden: true});
  const placeholder = el('span', {textContent: 'no frame'});
  const box = el('div', {className: 'thumb-box', title: 'live preview'}, thumb, placeholder);
  const name = el('div', {className: 'name'});
  const meta = el('div', {className: 'meta'});
  const badge = el('span', {className: 'badge'});
  const stale = el('span', {className: 'stale', hidden: true, textContent: 'stale', title: 'the newest frame is older than the stall timeout'});
  const stateCell = el('td', {className: 'state'}, badge, stale);
  const fps = el('td', {className: 'num fps'});
  const frameAge = el('td', {className: 'num age'});
  const restarts = el('td', {className: 'num restarts'});
  const error = el('td', {className: 'error'});
  const button = el('button', {className: 'restart', type: 'button', textContent: 'Restart'});
  const note = el('span', {className: 'note'});
  const tr = el('tr', {},
    el('td', {className: 'preview'}, box), el('td', {className: 'camera'}, name, meta),
    stateCell, fps, frameAge, restarts, error, el('td', {}, button, note));
  tr.dataset.camera = id;
  tr.dataset.statesSeen = '';

  const row = {tr, camera: null, loading: false, lastThumb: 0, objectUrl: null};

  box.addEventListener('click', () => {
    if (row.camera && row.camera.frame) openPreview(row.camera);
  });
  button.addEventListener('click', async () => {
    button.disabled = true;
    note.textContent = 'restarting…';
    try {
      const r = await fetch(row.camera.restart, {method: 'POST', headers: {'Accept': 'application/json'}});
      const body = await r.json().catch(() => ({}));
      note.textContent = r.ok ? 'restart requested' : (body.error || ('HTTP ' + r.status));
    } catch (e) {
      note.textContent = 'no answer: ' + e.message;
    }
    setTimeout(() => { note.textContent = ''; update(row.camera); }, 3000);
  });

  function update(c) {
    row.camera = c;
    name.textContent = c.name;
    const parts = [];
    if (c.name !== c.id) parts.push(c.id);
    if (c.frame) parts.push(c.frame.width + '×' + c.frame.height + ' ' + c.frame.pixelFormat);
    if (c.pid !== null) parts.push('pid ' + c.pid);
    if (c.runsOn) parts.push((c.state === 'ELSEWHERE' ? 'runs on ' : 'host ') + c.runsOn);
    meta.textContent = parts.join(' · ');
    badge.textContent = c.state;
    badge.className = 'badge ' + (STATE_CLASS[c.state] || 's-off');
    stale.hidden = !(c.state === 'STREAMING' && !c.live);
    if (tr.dataset.state !== c.state) {
      tr.dataset.state = c.state;
      tr.dataset.statesSeen += (tr.dataset.statesSeen ? ' ' : '') + c.state;
    }
    fps.textContent = c.fps.toFixed(1);
    frameAge.textContent = age(c.latestFrameAgeMillis);
    restarts.textContent = String(c.restarts);
    error.textContent = c.lastError || '';
    error.title = c.lastError || '';
    if (note.textContent === '') {
      button.disabled = ['INVALID', 'STOPPED', 'ELSEWHERE', 'UNPLACED'].includes(c.state);
    }
    if (!c.frame) {
      thumb.hidden = true;
      placeholder.hidden = false;
      placeholder.textContent = c.state === 'INVALID' ? 'invalid' : c.state === 'STOPPED' ? 'stopped'
          : c.state === 'ELSEWHERE' ? 'on ' + c.runsOn : c.state === 'UNPLACED' ? 'no host' : 'no frame';
    }
  }

  async function refreshThumb(now) {
    const c = row.camera;
    if (!c || !c.frame || row.loading || now - row.lastThumb < THUMB_MILLIS) return;
    row.loading = true;
    row.lastThumb = now;
    try {
      const r = await fetch(c.snapshot + '?width=' + THUMB_WIDTH, {cache: 'no-store'});
      if (r.ok) {
        const url = URL.createObjectURL(await r.blob());
        thumb.onload = () => {
          if (row.objectUrl) URL.revokeObjectURL(row.objectUrl);
          row.objectUrl = url;
          thumb.hidden = false;
          placeholder.hidden = true;
        };
        thumb.src = url;
      }
    } catch (e) {
      // the next round tries again
    } finally {
      row.loading = false;
    }
  }

  function remove() {
    if (row.objectUrl) URL.revokeObjectURL(row.objectUrl);
    tr.remove();
  }

  return {tr, update, refreshThumb, remove};
}

function render(data) {
  const seen = new Set();
  let previous = null;
  for (const c of data.cameras) {
    seen.add(c.id);
    let row = rows.get(c.id);
    if (!row) {
      row = cameraRow(c.id);
      rows.set(c.id, row);
    }
    // keep the table in the API's order (sorted by id)
    const wanted = previous ? previous.tr.nextSibling : tbody.firstChild;
    if (wanted !== row.tr) tbody.insertBefore(row.tr, wanted);
    row.update(c);
    previous = row;
  }
  for (const [id, row] of rows) {
    if (!seen.has(id)) {
      row.remove();
      rows.delete(id);
    }
  }
  const count = (s) => data.cameras.filter((c) => c.state === s).length;
  const bits = [data.cameras.length + (data.cameras.length === 1 ? ' camera' : ' cameras'), count('STREAMING') + ' streaming'];
  for (const s of ['RESTARTING', 'RECONNECTING', 'STALLED', 'FAILED', 'INVALID']) {
    if (count(s)) bits.push(count(s) + ' ' + s.toLowerCase());
  }
  document.getElementById('summary').textContent = bits.join(' · ');
  document.getElementById('updated').textContent = 'updated ' + new Date(data.time).toLocaleTimeString();
  document.getElementById('empty').hidden = data.cameras.length > 0;
  const now = performance.now();
  for (const row of rows.values()) row.refreshThumb(now);
}

async function poll() {
  pollTimer = null;
  polling = true;
  try {
    const r = await fetch('api/cameras', {cache: 'no-store', headers: {'Accept': 'application/json'}});
    if (!r.ok) throw new Error('HTTP ' + r.status);
    render(await r.json());
    document.getElementById('offline').hidden = true;
  } catch (e) {
    document.getElementById('offline').hidden = false;
  } finally {
    polling = false;
  }
  if (!document.hidden) pollTimer = setTimeout(poll, POLL_MILLIS);
}

// nobody looking, nothing fetched: polling stops while the tab is hidden
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && pollTimer === null && !polling) poll();
});

const dialog = document.getElementById('preview');
const previewImg = document.getElementById('preview-img');

const outputPicker = document.getElementById('preview-output');

// a camera with several outputs (same decode, other size/format/rate): a picker chooses which one is previewed
function openPreview(c) {
  document.getElementById('preview-title').textContent = c.name;
  const outputs = c.outputs || [];
  outputPicker.replaceChildren(...outputs.map((o) => {
    const opt = document.createElement('option');
    opt.value = o.mjpeg;
    opt.textContent = o.name + (o.frame ? ' ' + o.frame.width + 'x' + o.frame.height + ' ' + o.frame.pixelFormat : '');
    return opt;
  }));
  outputPicker.hidden = outputs.length < 2;
  previewImg.src = c.mjpeg;
  dialog.showModal();
}

outputPicker.addEventListener('change', () => { previewImg.src = outputPicker.value; });

// closing the preview drops its connection, which ends the stream (and its encoding) on the server
dialog.addEventListener('close', () => previewImg.removeAttribute('src'));

poll();
