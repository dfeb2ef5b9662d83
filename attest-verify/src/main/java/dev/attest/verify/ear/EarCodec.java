package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.EarReader;
import dev.attest.verify.internal.ear.EarWriter;
import dev.attest.verify.internal.ear.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * EAR claims-set JSON (draft-ietf-rats-ear §3, JSON serialization per RFC 9711 §7.2): a
 * deterministic writer and a strict parser. The parser accepts UTF-8 JSON of at most
 * {@link #MAX_BYTES} bytes and nesting depth 32, with unique member names and nothing after the
 * top-level object; it requires {@code eat_profile} = {@value Ear#PROFILE}, {@code iat},
 * {@code ear.verifier-id} and at least one submod with an {@code ear.status}; unknown claims are
 * kept as {@link EarJson} extensions (RFC 7519 §4). Every failure is an {@link EarException}
 * whose reason names the rule broken. Thread-safe, stateless.
 */
public final class EarCodec {
    /** Bound on an EAR's JSON size (1 MiB; raw evidence makes EARs larger than their claims). */
    public static final int MAX_BYTES = 1 << 20;

    private EarCodec() {
    }

    /**
     * The EAR as compact UTF-8 JSON; the same EAR always gives the same bytes.
     *
     * @param ear the EAR
     * @return the JSON bytes
     */
    public static byte[] toJson(Ear ear) {
        return toJsonString(ear).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The EAR as a compact JSON string; the same EAR always gives the same string.
     *
     * @param ear the EAR
     * @return the JSON string
     */
    public static String toJsonString(Ear ear) {
        return EarWriter.write(Objects.requireNonNull(ear, "ear"));
    }

    /**
     * Parses UTF-8 JSON.
     *
     * @param json the JSON bytes
     * @return the EAR
     * @throws EarException with the reason the input is not a valid EAR
     */
    public static Ear parse(byte[] json) throws EarException {
        return EarReader.read(StrictJson.parse(Objects.requireNonNull(json, "json"), MAX_BYTES));
    }

    /**
     * Parses a JSON string.
     *
     * @param json the JSON text
     * @return the EAR
     * @throws EarException with the reason the input is not a valid EAR
     */
    public static Ear parse(String json) throws EarException {
        return EarReader.read(StrictJson.parse(Objects.requireNonNull(json, "json"), MAX_BYTES));
    }
}
