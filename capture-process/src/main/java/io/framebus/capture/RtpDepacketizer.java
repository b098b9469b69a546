package io.framebus.capture;

import java.io.ByteArrayOutputStream;

/**
 * Turns the RTP packets of one H.264 (RFC 6184) or H.265 (RFC 7798) track into access units in Annex B form, each
 * closed by the packet that carries the marker bit, so a frame goes to the decoder the moment its last packet has
 * arrived. A stream that sends no marker bit still works: an access unit is also closed when a packet with a new
 * timestamp arrives (FFmpeg's behaviour, one frame later).
 *
 * <p>Loss (UDP, or a server that skips packets) shows as a gap in the sequence numbers. The access unit it hits is
 * dropped, and so is every following one up to the next key frame (IDR/IRAP): frames predicted from a damaged
 * picture are damaged too, and none of them is ever published. The stream starts at a key frame the same way.
 * Not handled (the access unit is dropped as damaged): H.264 STAP-B, MTAP and FU-B, H.265 PACI, and H.265 streams
 * with decoding order numbers (sprop-max-don-diff > 0), none of which IP cameras send.
 */
final class RtpDepacketizer {
    static final byte[] START_CODE = {0, 0, 0, 1};

    /** A complete access unit: Annex B bytes, RTP timestamp unwrapped to 64 bits, whether it holds a key frame. */
    record AccessUnit(byte[] data, long rtpTimestamp, boolean keyframe) {
    }

    private final boolean h265;
    private final int payloadType;
    private final ByteArrayOutputStream unit = new ByteArrayOutputStream(256 * 1024);
    private boolean open;
    private long timestamp;
    private boolean damaged;
    private boolean keyframe;
    private boolean inFragment;
    private int expectedSeq = -1;
    private boolean awaitKeyframe = true;
    private long lastRtpTs = Long.MIN_VALUE;
    private long unwrapped;
    private long dropped;
    private long lost;

    /** @param codec "H264" or "H265" */
    RtpDepacketizer(String codec, int payloadType) {
        this.h265 = codec.equals("H265");
        this.payloadType = payloadType;
    }

    /** Access units dropped as damaged or as depending on a damaged one. */
    long droppedUnits() {
        return dropped;
    }

    /** RTP packets missing by sequence number. */
    long lostPackets() {
        return lost;
    }

    /**
     * Takes one RTP packet.
     *
     * @param sink receives each access unit that this packet completes (zero, one, or two: the previous one closed
     *             by a new timestamp and this one closed by its marker)
     */
    void accept(byte[] p, java.util.function.Consumer<AccessUnit> sink) {
        if (p.length < 12 || (p[0] & 0xC0) != 0x80 || (p[1] & 0x7F) != payloadType) {
            return; // not RTP version 2, or another payload (e.g. a comfort packet): not ours
        }
        boolean marker = (p[1] & 0x80) != 0;
        int seq = ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
        long ts = ((p[4] & 0xFFL) << 24) | ((p[5] & 0xFFL) << 16) | ((p[6] & 0xFFL) << 8) | (p[7] & 0xFFL);
        int offset = 12 + 4 * (p[0] & 0x0F);
        if ((p[0] & 0x10) != 0) {
            if (p.length < offset + 4) {
                return;
            }
            offset += 4 + 4 * (((p[offset + 2] & 0xFF) << 8) | (p[offset + 3] & 0xFF));
        }
        int end = p.length;
        if ((p[0] & 0x20) != 0 && end > offset) {
            end -= p[end - 1] & 0xFF;
        }
        if (offset > end) {
            return;
        }
        boolean gap = false;
        if (expectedSeq >= 0 && seq != expectedSeq) {
            int missing = (seq - expectedSeq) & 0xFFFF;
            if (missing > 0x8000) {
                return; // late duplicate or reordered packet from before: already accounted for as lost
            }
            lost += missing;
            gap = true;
        }
        expectedSeq = (seq + 1) & 0xFFFF;
        if (open && ts != (timestamp & 0xFFFFFFFFL)) {
            // no marker bit on the previous unit: it ends where the next begins (a lost packet may be its end)
            damaged |= gap;
            close(sink);
        }
        if (gap) {
            damaged = true; // the unit this packet belongs to misses a packet (perhaps its start)
            inFragment = false;
        }
        if (!open) {
            open = true;
            timestamp = unwrap(ts);
            keyframe = false;
        }
        if (h265) {
            h265Payload(p, offset, end);
        } else {
            h264Payload(p, offset, end);
        }
        if (marker) {
            close(sink);
        }
    }

    private long unwrap(long ts) {
        if (lastRtpTs == Long.MIN_VALUE) {
            unwrapped = ts;
        } else {
            unwrapped += (int) (ts - lastRtpTs); // signed 32-bit difference: wraps forward and small steps back
        }
        lastRtpTs = ts;
        return unwrapped;
    }

    private void close(java.util.function.Consumer<AccessUnit> sink) {
        open = false;
        inFragment = false;
        boolean usable = !damaged && unit.size() > 0;
        if (damaged) {
            awaitKeyframe = true;
        }
        damaged = false;
        if (usable && awaitKeyframe && keyframe) {
            awaitKeyframe = false;
        }
        if (usable && !awaitKeyframe) {
            sink.accept(new AccessUnit(unit.toByteArray(), timestamp, keyframe));
        } else if (unit.size() > 0) {
            dropped++;
        }
        unit.reset();
    }

    private void h264Payload(byte[] p, int at, int end) {
        if (end - at < 1) {
            return;
        }
        int type = p[at] & 0x1F;
        if (type >= 1 && type <= 23) {
            nal(p, at, end - at, type == 5);
        } else if (type == 24) { // STAP-A: 16-bit size, NAL, ...
            int i = at + 1;
            while (i + 2 <= end) {
                int size = ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
                i += 2;
                if (size == 0 || i + size > end) {
                    damaged = true;
                    return;
                }
                nal(p, i, size, (p[i] & 0x1F) == 5);
                i += size;
            }
        } else if (type == 28) { // FU-A
            if (end - at < 2) {
                damaged = true;
                return;
            }
            int fu = p[at + 1] & 0xFF;
            boolean start = (fu & 0x80) != 0;
            if (start) {
                unit.writeBytes(START_CODE);
                unit.write((p[at] & 0xE0) | (fu & 0x1F));
                keyframe |= (fu & 0x1F) == 5;
                inFragment = true;
            } else if (!inFragment) {
                damaged = true; // its start was lost
                return;
            }
            unit.write(p, at + 2, end - at - 2);
            if ((fu & 0x40) != 0) {
                inFragment = false;
            }
        } else {
            damaged = true;
        }
    }

    private void h265Payload(byte[] p, int at, int end) {
        if (end - at < 2) {
            return;
        }
        int type = (p[at] >> 1) & 0x3F;
        if (type <= 47) {
            nal(p, at, end - at, isIrap(type));
        } else if (type == 48) { // aggregation packet: 16-bit size, NAL, ...
            int i = at + 2;
            while (i + 2 <= end) {
                int size = ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
                i += 2;
                if (size < 2 || i + size > end) {
                    damaged = true;
                    return;
                }
                nal(p, i, size, isIrap((p[i] >> 1) & 0x3F));
                i += size;
            }
        } else if (type == 49) { // fragmentation unit
            if (end - at < 3) {
                damaged = true;
                return;
            }
            int fu = p[at + 2] & 0xFF;
            int nalType = fu & 0x3F;
            if ((fu & 0x80) != 0) {
                unit.writeBytes(START_CODE);
                unit.write((p[at] & 0x81) | (nalType << 1));
                unit.write(p[at + 1]);
                keyframe |= isIrap(nalType);
                inFragment = true;
            } else if (!inFragment) {
                damaged = true;
                return;
            }
            unit.write(p, at + 3, end - at - 3);
            if ((fu & 0x40) != 0) {
                inFragment = false;
            }
        } else {
            damaged = true;
        }
    }

    private static boolean isIrap(int type) {
        return type >= 16 && type <= 21;
    }

    private void nal(byte[] p, int at, int length, boolean key) {
        if (inFragment) {
            damaged = true; // a fragmented NAL unit lost its end
            inFragment = false;
        }
        unit.writeBytes(START_CODE);
        unit.write(p, at, length);
        keyframe |= key;
    }
}
