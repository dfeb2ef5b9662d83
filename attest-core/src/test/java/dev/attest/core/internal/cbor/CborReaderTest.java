package dev.attest.core.internal.cbor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link CborReader#printableAscii}: what it takes, and that refusing leaves the reader as it was. */
class CborReaderTest {
    private static byte[] text(String s) {
        return CborEncoder.encode(Cbor.of(s));
    }

    @Test
    void takesPrintableAsciiOnly() throws Exception {
        String printable = " !~/usr/lib/x86_64-linux-gnu/libc.so.6";
        CborReader r = new CborReader(text(printable), 0, text(printable).length, 1);
        assertEquals(printable, r.printableAscii());
        r.expectEnd();
        for (String other : new String[] {"tab\there", "del\u007f", "nul\u0000", "caf\u00e9", "c1\u0085", "\u2192"}) {
            byte[] in = text(other);
            CborReader o = new CborReader(in, 0, in.length, 1);
            assertNull(o.printableAscii(), other);
            // Nothing was read or counted: the one item allowed is still there to read.
            assertEquals(0, o.position());
            assertEquals(other, o.text());
            o.expectEnd();
        }
    }

    @Test
    void refusesWhatTextRefuses() {
        byte[] notText = CborEncoder.encode(Cbor.of("x".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(CborException.Reason.MALFORMED,
                assertThrows(CborException.class, () -> new CborReader(notText, 0, notText.length, 1).printableAscii())
                        .reason());
        byte[] truncated = {0x63, 'a', 'b'};
        assertEquals(CborException.Reason.TRUNCATED,
                assertThrows(CborException.class, () -> new CborReader(truncated, 0, truncated.length, 1).printableAscii())
                        .reason());
        byte[] nonShortest = {0x78, 0x01, 'a'};
        assertEquals(CborException.Reason.NOT_DETERMINISTIC,
                assertThrows(CborException.class, () -> new CborReader(nonShortest, 0, nonShortest.length, 1)
                        .printableAscii()).reason());
    }
}
