package dev.attest.verify.corim.internal;

/** Object identifiers (ITU-T X.690 §8.19) from their BER content bytes to dotted text. */
public final class Oids {
    private Oids() {
    }

    /** The dotted form of the content bytes {@code ber}, or null if they are not a valid OID within 63-bit arcs. */
    public static String dotted(byte[] ber) {
        if (ber.length == 0 || (ber[ber.length - 1] & 0x80) != 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        long arc = 0;
        boolean first = true;
        boolean start = true;
        for (byte b : ber) {
            if (start && (b & 0xff) == 0x80) {
                return null; // a non-minimal arc encoding
            }
            if (arc > (Long.MAX_VALUE >>> 7)) {
                return null;
            }
            arc = (arc << 7) | (b & 0x7f);
            start = (b & 0x80) == 0;
            if (start) {
                if (first) {
                    long x = arc < 80 ? arc / 40 : 2;
                    sb.append(x).append('.').append(arc - 40 * x);
                    first = false;
                } else {
                    sb.append('.').append(arc);
                }
                arc = 0;
            }
        }
        return sb.toString();
    }
}
