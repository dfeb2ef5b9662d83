package dev.attest.testkit;

/**
 * The single-byte edits the decoders' differential properties apply to valid encodings: one
 * byte changed, one inserted, one deleted. Positions are taken modulo the input's length (the
 * end counts as a position for an insertion), so any generated integer is a position.
 */
public enum ByteEdit {
    /** The input as it is. */
    NONE,
    /** The byte at the position replaced by the value. */
    CHANGE,
    /** The value inserted before the position. */
    INSERT,
    /** The byte at the position removed. */
    DELETE;

    /** {@code in} (non-empty) with this edit at {@code where} (modulo its positions); a new array. */
    public byte[] apply(byte[] in, int where, byte value) {
        int at = Math.floorMod(where, in.length + (this == INSERT ? 1 : 0));
        return switch (this) {
            case NONE -> in.clone();
            case CHANGE -> {
                byte[] b = in.clone();
                b[at] = value;
                yield b;
            }
            case INSERT -> {
                byte[] b = new byte[in.length + 1];
                System.arraycopy(in, 0, b, 0, at);
                b[at] = value;
                System.arraycopy(in, at, b, at + 1, in.length - at);
                yield b;
            }
            case DELETE -> {
                byte[] b = new byte[in.length - 1];
                System.arraycopy(in, 0, b, 0, at);
                System.arraycopy(in, at + 1, b, at, in.length - at - 1);
                yield b;
            }
        };
    }
}
