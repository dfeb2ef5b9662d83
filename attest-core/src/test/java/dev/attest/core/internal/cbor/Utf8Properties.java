package dev.attest.core.internal.cbor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fast text decoder accepts and rejects exactly what a reporting UTF-8 decoder does. */
class Utf8Properties {
    /** Bytes around every UTF-8 boundary: lead bytes, continuation limits, surrogates, U+FFFD. */
    @Provide
    Arbitrary<byte[]> texts() {
        Byte[] interesting = java.util.stream.IntStream.of(0x00, 0x1f, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbb, 0xbd, 0xbf, 0xc0, 0xc1,
            0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xf8, 0xfe, 0xff)
                .mapToObj(i -> (byte) i).toArray(Byte[]::new);
        return Arbitraries.oneOf(Arbitraries.of(interesting), Arbitraries.bytes())
                .array(byte[].class).ofMaxSize(12);
    }

    @Property(tries = 20_000)
    void decodesExactlyLikeAReportingDecoder(@ForAll("texts") byte[] b) {
        String expected;
        try {
            expected = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            expected = null;
        }
        String actual;
        try {
            actual = Utf8.decode(b, 0, b.length, 0);
        } catch (CborException e) {
            assertEquals(CborException.Reason.INVALID_UTF8, e.reason());
            actual = null;
        }
        assertEquals(expected, actual, () -> java.util.HexFormat.of().formatHex(b));
    }
}
