package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtpDepacketizerTest {
    private static final int PT = 96;
    private final List<RtpDepacketizer.AccessUnit> out = new ArrayList<>();
    private int seq = 1000;

    private static byte[] rtp(int seq, long ts, boolean marker, byte... payload) {
        byte[] p = new byte[12 + payload.length];
        p[0] = (byte) 0x80;
        p[1] = (byte) ((marker ? 0x80 : 0) | PT);
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[4] = (byte) (ts >> 24);
        p[5] = (byte) (ts >> 16);
        p[6] = (byte) (ts >> 8);
        p[7] = (byte) ts;
        System.arraycopy(payload, 0, p, 12, payload.length);
        return p;
    }

    private void send(RtpDepacketizer d, long ts, boolean marker, byte... payload) {
        d.accept(rtp(seq++, ts, marker, payload), out::add);
    }

    private static byte[] annexB(byte[]... nals) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] n : nals) {
            b.writeBytes(RtpDepacketizer.START_CODE);
            b.writeBytes(n);
        }
        return b.toByteArray();
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void anAccessUnitIsCompleteAtItsMarkerBitNotWhenTheNextOneStarts() {
        RtpDepacketizer d = new RtpDepacketizer("H264", PT);
        send(d, 9000, false, bytes(0x67, 1, 2)); // SPS
        send(d, 9000, false, bytes(0x68, 3)); // PPS
        assertThat(out).isEmpty();
        send(d, 9000, true, bytes(0x65, 4, 5, 6)); // IDR slice with the marker
        assertThat(out).hasSize(1);
        assertThat(out.get(0).keyframe()).isTrue();
        assertThat(out.get(0).rtpTimestamp()).isEqualTo(9000);
        assertThat(out.get(0).data()).isEqualTo(annexB(bytes(0x67, 1, 2), bytes(0x68, 3), bytes(0x65, 4, 5, 6)));
        send(d, 12000, true, bytes(0x41, 7)); // P slice
        assertThat(out).hasSize(2);
        assertThat(out.get(1).keyframe()).isFalse();
    }

    @Test
    void fragmentedAndAggregatedNalUnitsAreReassembled() {
        RtpDepacketizer d = new RtpDepacketizer("H264", PT);
        // STAP-A with SPS and PPS
        send(d, 1, false, bytes(24, 0, 3, 0x67, 1, 2, 0, 2, 0x68, 3));
        // FU-A: IDR (type 5, NRI 3) in three fragments, two slices in one frame (multi-slice)
        send(d, 1, false, bytes(0x7C, 0x85, 10, 11));
        send(d, 1, false, bytes(0x7C, 0x05, 12));
        send(d, 1, false, bytes(0x7C, 0x45, 13));
        send(d, 1, true, bytes(0x65, 20, 21)); // second slice, marker
        assertThat(out).hasSize(1);
        assertThat(out.get(0).data()).isEqualTo(annexB(bytes(0x67, 1, 2), bytes(0x68, 3),
                bytes(0x65, 10, 11, 12, 13), bytes(0x65, 20, 21)));
    }

    @Test
    void withoutMarkerBitsAUnitEndsWhenTheTimestampChanges() {
        RtpDepacketizer d = new RtpDepacketizer("H264", PT);
        send(d, 100, false, bytes(0x65, 1));
        send(d, 100, false, bytes(0x65, 2));
        assertThat(out).isEmpty();
        send(d, 200, false, bytes(0x41, 3));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).data()).isEqualTo(annexB(bytes(0x65, 1), bytes(0x65, 2)));
    }

    @Test
    void aLostPacketDropsItsUnitAndEverythingUntilTheNextKeyFrame() {
        RtpDepacketizer d = new RtpDepacketizer("H264", PT);
        send(d, 100, true, bytes(0x65, 1)); // key frame: published
        send(d, 200, false, bytes(0x7C, 0x81, 2)); // P frame, first fragment
        seq++; // the middle fragment is lost
        send(d, 200, true, bytes(0x7C, 0x41, 4));
        send(d, 300, true, bytes(0x41, 5)); // intact, but predicted from the damaged frame
        send(d, 400, true, bytes(0x65, 6)); // key frame heals
        send(d, 500, true, bytes(0x41, 7));
        assertThat(out).extracting(RtpDepacketizer.AccessUnit::rtpTimestamp).containsExactly(100L, 400L, 500L);
        assertThat(d.lostPackets()).isEqualTo(1);
        assertThat(d.droppedUnits()).isEqualTo(2);
    }

    @Test
    void theStreamStartsAtAKeyFrame() {
        RtpDepacketizer d = new RtpDepacketizer("H264", PT);
        send(d, 100, true, bytes(0x41, 1));
        send(d, 200, true, bytes(0x65, 2));
        assertThat(out).extracting(RtpDepacketizer.AccessUnit::rtpTimestamp).containsExactly(200L);
    }

    @Test
    void timestampsUnwrapPast32Bits() {
        RtpDepacketizer d = new RtpDepacketizer("H264", PT);
        send(d, 0xFFFFFF00L, true, bytes(0x65, 1));
        send(d, 0x00000100L, true, bytes(0x41, 2));
        assertThat(out.get(1).rtpTimestamp()).isEqualTo(0x100000100L);
    }

    @Test
    void h265FragmentsAndAggregationPackets() {
        RtpDepacketizer d = new RtpDepacketizer("H265", PT);
        // AP (type 48) with VPS (32) and SPS (33)
        send(d, 1, false, bytes(48 << 1, 1, 0, 3, 32 << 1, 1, 9, 0, 3, 33 << 1, 1, 8));
        // FU (type 49) of an IDR_W_RADL (19)
        send(d, 1, false, bytes(49 << 1, 1, 0x80 | 19, 30, 31));
        send(d, 1, true, bytes(49 << 1, 1, 0x40 | 19, 32));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).keyframe()).isTrue();
        assertThat(out.get(0).data()).isEqualTo(annexB(bytes(32 << 1, 1, 9), bytes(33 << 1, 1, 8),
                bytes(19 << 1, 1, 30, 31, 32)));
    }

    @Test
    void otherPayloadTypesAndShortPacketsAreIgnored() {
        RtpDepacketizer d = new RtpDepacketizer("H264", PT);
        byte[] other = rtp(seq++, 1, true, bytes(0x65, 1));
        other[1] = (byte) (0x80 | 97);
        d.accept(other, out::add);
        d.accept(Arrays.copyOf(other, 5), out::add);
        assertThat(out).isEmpty();
    }
}
