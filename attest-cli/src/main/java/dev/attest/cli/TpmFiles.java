package dev.attest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.TpmtSignature;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads the TPM files of other stacks (tpm2-tools) and writes the JSON PCR form. */
final class TpmFiles {
    /** Bound on a key, quote, signature or PCR file. */
    static final int MAX_SMALL = 64 * 1024;
    /** Bound on an event log or IMA list (the parsers' own bounds are larger; the CLI reads into memory). */
    static final int MAX_LOG = 64 << 20;
    private static final HexFormat HEX = HexFormat.of();

    private TpmFiles() {
    }

    /** How an AK file was understood. */
    enum AkForm { TPM2B_PUBLIC, TPMT_PUBLIC, PEM }

    record Ak(TpmtPublic key, AkForm form) {
    }

    /**
     * An AK as TPM2B_PUBLIC ({@code tpm2_createak -u}, {@code tpm2_readpublic -o}), TPMT_PUBLIC, or
     * a PEM public key ({@code -f pem}); a PEM key carries no TPM attributes, so it is taken to be
     * a restricted signing key whose scheme is the one the quote's signature names.
     */
    static Ak ak(Path p, TpmtSignature sig) throws InputException {
        byte[] b = InputFiles.bytes(p, MAX_SMALL);
        String text = new String(b, StandardCharsets.US_ASCII);
        if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
            return new Ak(fromPem(p, text, sig), AkForm.PEM);
        }
        try {
            return new Ak(TpmtPublic.parseTpm2b(b), AkForm.TPM2B_PUBLIC);
        } catch (TpmFormatException e2b) {
            try {
                return new Ak(TpmtPublic.parse(b), AkForm.TPMT_PUBLIC);
            } catch (TpmFormatException e) {
                throw new InputException(p + ": not a TPM2B_PUBLIC, TPMT_PUBLIC or PEM public key (" + e2b.reason()
                        + " at " + e2b.offset() + ")", e2b);
            }
        }
    }

    private static TpmtPublic fromPem(Path p, String text, TpmtSignature sig) throws InputException {
        String body = text.replace("-----BEGIN PUBLIC KEY-----", "").replaceFirst("-----END PUBLIC KEY-----\\s*$", "")
                .replaceAll("\\s", "");
        PublicKey key;
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new InputException(p + ": PEM body is not base64", e);
        }
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (java.security.GeneralSecurityException ec) {
            try {
                key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            } catch (java.security.GeneralSecurityException rsa) {
                throw new InputException(p + ": PEM is not an EC or RSA public key", rsa);
            }
        }
        int scheme = sig.scheme().algId();
        int hash = sig.hash().algId();
        TpmtPublic t;
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            int curve = switch (bits) {
                case 256 -> TpmtPublic.CURVE_NIST_P256;
                case 384 -> TpmtPublic.CURVE_NIST_P384;
                default -> throw new InputException(p + ": EC curve of " + bits + " bits is not supported");
            };
            int size = (bits + 7) / 8;
            t = TpmtPublic.akEccP256Template();
            return new TpmtPublic(t.type(), t.nameAlg(), t.objectAttributes(), t.authPolicy(), t.symmetricAlg(),
                    t.symmetricKeyBits(), t.symmetricMode(), scheme, hash, curve, t.kdfAlg(), t.kdfHashAlg(),
                    t.rsaKeyBits(), t.rsaExponent(), fixed(ec.getW().getAffineX(), size), fixed(ec.getW().getAffineY(), size));
        }
        RSAPublicKey rsa = (RSAPublicKey) key;
        int bits = rsa.getModulus().bitLength();
        t = TpmtPublic.akRsa2048Template();
        BigInteger e = rsa.getPublicExponent();
        if (e.bitLength() > 32) {
            throw new InputException(p + ": RSA exponent larger than 32 bits");
        }
        int exponent = e.equals(BigInteger.valueOf(65537)) ? 0 : e.intValue();
        return new TpmtPublic(t.type(), t.nameAlg(), t.objectAttributes(), t.authPolicy(), t.symmetricAlg(),
                t.symmetricKeyBits(), t.symmetricMode(), scheme, hash, t.curveId(), t.kdfAlg(), t.kdfHashAlg(),
                bits, exponent, fixed(rsa.getModulus(), (bits + 7) / 8), new byte[0]);
    }

    private static byte[] fixed(BigInteger v, int size) throws InputException {
        byte[] b = v.toByteArray();
        if (b.length == size + 1 && b[0] == 0) {
            return java.util.Arrays.copyOfRange(b, 1, b.length);
        }
        if (b.length > size) {
            throw new InputException("key coordinate longer than " + size + " bytes");
        }
        byte[] out = new byte[size];
        System.arraycopy(b, 0, out, size - b.length, b.length);
        return out;
    }

    /** How a quote file was understood. */
    enum QuoteForm { TPM2_TOOLS, KEYLIME, GO_ATTESTATION }

    /**
     * A quote read from another stack's files.
     *
     * @param attest the TPMS_ATTEST bytes
     * @param signature the TPMT_SIGNATURE bytes
     * @param pcrBlob the PCR values that came with the quote (Keylime's third part), in tpm2-tools'
     *     serialized form; empty when the form carries none
     * @param form the form
     */
    record QuoteFiles(byte[] attest, byte[] signature, Optional<byte[]> pcrBlob, QuoteForm form) {
    }

    /**
     * A quote in one of three forms, told apart by their first byte: tpm2-tools' TPMS_ATTEST
     * ({@code tpm2_quote -m}, magic {@code 0xFF544347}) with the TPMT_SIGNATURE in
     * {@code signature} ({@code tpm2_quote -s}); the Keylime agent's quote string
     * {@code r<base64 TPMS_ATTEST>:<base64 TPMT_SIGNATURE>:<base64 PCR blob>}, each part optionally
     * zlib-compressed (keylime/tpm/tpm_main.py, check_quote; the PCR blob is tpm2-tools'
     * serialized PCR file, keylime/tpm/tpm_util.py); or go-attestation's {@code attest.Quote} as
     * Go's encoding/json writes it, {@code {"Version":2,"Quote":"<base64 TPMS_ATTEST>",
     * "Signature":"<base64 TPMT_SIGNATURE>"}} (go-attestation attest/attest.go, Version 2 =
     * TPMVersion20).
     */
    static QuoteFiles quote(Path quote, Path signature) throws InputException {
        byte[] b = InputFiles.bytes(quote, MAX_SMALL);
        if (b.length > 0 && (b[0] == 'r' || b[0] == '{')) {
            if (signature != null) {
                throw new InputException(quote + ": this quote form carries its signature; drop --signature");
            }
            return b[0] == 'r' ? keylime(quote, b) : goAttestation(quote, b);
        }
        if (signature == null) {
            throw new InputException(quote + ": a TPMS_ATTEST needs its TPMT_SIGNATURE: give --signature"
                    + " (or give a Keylime quote string or a go-attestation Quote as --quote)");
        }
        return new QuoteFiles(b, InputFiles.bytes(signature, MAX_SMALL), Optional.empty(), QuoteForm.TPM2_TOOLS);
    }

    private static QuoteFiles keylime(Path p, byte[] b) throws InputException {
        String text = new String(b, StandardCharsets.US_ASCII).strip();
        String[] parts = text.substring(1).split(":", -1);
        if (parts.length != 3) {
            throw new InputException(p + ": a Keylime quote is r<TPMS_ATTEST>:<TPMT_SIGNATURE>:<PCR blob>; found "
                    + parts.length + " parts");
        }
        String[] names = {"TPMS_ATTEST", "TPMT_SIGNATURE", "PCR blob"};
        byte[][] raw = new byte[3][];
        for (int i = 0; i < 3; i++) {
            byte[] d;
            try {
                d = Base64.getDecoder().decode(parts[i]);
            } catch (IllegalArgumentException e) {
                throw new InputException(p + ": Keylime quote part " + (i + 1) + " (" + names[i] + ") is not base64", e);
            }
            raw[i] = zlibHeader(d) ? inflate(p, d, names[i]) : d;
        }
        return new QuoteFiles(raw[0], raw[1], Optional.of(raw[2]), QuoteForm.KEYLIME);
    }

    /**
     * A zlib stream header (RFC 1950 §2.2: deflate, CMF*256+FLG a multiple of 31, no preset
     * dictionary). None of the three parts can start so uncompressed: a TPMS_ATTEST starts with
     * 0xFF, a TPMT_SIGNATURE with 0x00 (its algorithm's high byte), a PCR blob with its bank
     * count (1 to 16, little endian).
     */
    private static boolean zlibHeader(byte[] d) {
        return d.length >= 2 && (d[0] & 0x0F) == 8 && (d[0] & 0xF0) <= 0x70
                && ((d[0] & 0xFF) * 256 + (d[1] & 0xFF)) % 31 == 0 && (d[1] & 0x20) == 0;
    }

    private static byte[] inflate(Path p, byte[] d, String what) throws InputException {
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        try {
            inf.setInput(d);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new InputException(p + ": Keylime " + what + ": zlib stream ends early");
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_SMALL) {
                    throw new InputException(p + ": Keylime " + what + ": inflates past " + MAX_SMALL + " bytes");
                }
            }
            if (inf.getRemaining() != 0) {
                throw new InputException(p + ": Keylime " + what + ": " + inf.getRemaining() + " bytes after the zlib stream");
            }
            return out.toByteArray();
        } catch (java.util.zip.DataFormatException e) {
            throw new InputException(p + ": Keylime " + what + ": not a valid zlib stream", e);
        } finally {
            inf.end();
        }
    }

    private static QuoteFiles goAttestation(Path p, byte[] b) throws InputException {
        JsonNode root = jsonObject(p, b, "go-attestation's Quote {\"Version\":2,\"Quote\":...,\"Signature\":...}");
        for (Map.Entry<String, JsonNode> f : root.properties()) {
            if (!java.util.Set.of("Version", "Quote", "Signature").contains(f.getKey())) {
                throw new InputException(p + ": go-attestation Quote has no field \"" + f.getKey() + "\"");
            }
        }
        JsonNode v = root.get("Version");
        if (v == null || !v.isInt() || v.asInt() != 2) {
            throw new InputException(p + ": go-attestation Quote Version must be 2 (TPMVersion20), got " + v);
        }
        return new QuoteFiles(goBytes(p, root, "Quote"), goBytes(p, root, "Signature"), Optional.empty(),
                QuoteForm.GO_ATTESTATION);
    }

    private static byte[] goBytes(Path p, JsonNode root, String field) throws InputException {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new InputException(p + ": go-attestation Quote needs \"" + field + "\" as base64 text");
        }
        try {
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw new InputException(p + ": go-attestation Quote \"" + field + "\" is not base64", e);
        }
    }

    /** PCR values in tpm2-tools' serialized form that came with a quote (Keylime's PCR blob). */
    static PcrValues pcrBlob(Path p, byte[] blob, PcrSelection selection) throws InputException {
        return serialized(p, blob, selection).orElseThrow(() -> new InputException(p
                + ": the PCR blob is not tpm2-tools' serialized PCR form"));
    }

    /**
     * PCR values: the JSON form {@code {"sha256": {"0": "<hex>", ...}}} (first non-blank byte
     * {@code '{'}) or the concatenated values {@code tpm2_pcrread -o} / {@code tpm2_quote -o}
     * write, in the order of {@code selection} (the quote's).
     */
    static PcrValues pcrs(Path p, PcrSelection selection) throws InputException {
        byte[] b = InputFiles.bytes(p, MAX_SMALL);
        int i = 0;
        while (i < b.length && Character.isWhitespace(b[i])) {
            i++;
        }
        if (i < b.length && b[i] == '{') {
            return pcrsJson(p, b);
        }
        Optional<PcrValues> serialized = serialized(p, b, selection);
        if (serialized.isPresent()) {
            return serialized.get();
        }
        try {
            return PcrValues.fromConcatenation(selection, b);
        } catch (TpmFormatException e) {
            throw new InputException(p + ": " + b.length + " bytes do not match the quote's selection " + selection
                    + " (" + e.reason() + "); give the PCR values of exactly the quoted PCRs", e);
        }
    }

    private static final int SELECTION_STRUCT = 4 + 16 * 8;
    private static final int DIGEST_LIST_STRUCT = 4 + 8 * (2 + 64);

    /**
     * tpm2-tools' "serialized" PCR file ({@code tpm2_quote -o}, default {@code -F serialized}):
     * the in-memory TSS2 structures, little endian: TPML_PCR_SELECTION (u32 count, 16 entries of
     * u16 hash, u8 sizeofSelect, u8[4] pcrSelect, 1 pad byte), u32 number of TPML_DIGESTs, then
     * each TPML_DIGEST (u32 count, 8 TPM2B_DIGEST of u16 size + 64 bytes). Empty if {@code b}
     * does not have that shape.
     */
    private static Optional<PcrValues> serialized(Path p, byte[] b, PcrSelection quoted) throws InputException {
        if (b.length < SELECTION_STRUCT + 4 || (b.length - SELECTION_STRUCT - 4) % DIGEST_LIST_STRUCT != 0) {
            return Optional.empty();
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int count = buf.getInt();
        if (count < 1 || count > 16) {
            return Optional.empty();
        }
        java.util.List<PcrSelection.Bank> banks = new java.util.ArrayList<>();
        for (int k = 0; k < count; k++) {
            int at = 4 + k * 8;
            Optional<HashAlg> h = HashAlg.fromAlgId(buf.getShort(at) & 0xFFFF);
            int size = b[at + 2] & 0xFF;
            if (h.isEmpty() || size > 4) {
                return Optional.empty();
            }
            TreeSet<Integer> set = new TreeSet<>();
            for (int i = 0; i < size * 8; i++) {
                if ((b[at + 3 + i / 8] & (1 << (i % 8))) != 0) {
                    set.add(i);
                }
            }
            banks.add(new PcrSelection.Bank(h.get(), set));
        }
        PcrSelection sel = new PcrSelection(banks);
        if (!sel.equals(quoted)) {
            throw new InputException(p + ": holds PCRs " + TpmCommand.sel(sel) + " but the quote selects "
                    + TpmCommand.sel(quoted));
        }
        int lists = buf.getInt(SELECTION_STRUCT);
        if (lists != (b.length - SELECTION_STRUCT - 4) / DIGEST_LIST_STRUCT) {
            throw new InputException(p + ": digest list count " + lists + " does not match the file size");
        }
        java.util.List<byte[]> digests = new java.util.ArrayList<>();
        for (int l = 0; l < lists; l++) {
            int at = SELECTION_STRUCT + 4 + l * DIGEST_LIST_STRUCT;
            int n = buf.getInt(at);
            if (n < 0 || n > 8) {
                throw new InputException(p + ": TPML_DIGEST count " + n + " is not 0..8");
            }
            for (int d = 0; d < n; d++) {
                int da = at + 4 + d * 66;
                int size = buf.getShort(da) & 0xFFFF;
                if (size > 64) {
                    throw new InputException(p + ": digest of " + size + " bytes");
                }
                digests.add(java.util.Arrays.copyOfRange(b, da + 2, da + 2 + size));
            }
        }
        Map<HashAlg, Map<Integer, byte[]>> out = new EnumMap<>(HashAlg.class);
        int next = 0;
        for (PcrSelection.Bank bank : sel.banks()) {
            Map<Integer, byte[]> m = new TreeMap<>();
            for (int i : bank.pcrs()) {
                if (next >= digests.size() || digests.get(next).length != bank.hash().digestSize()) {
                    throw new InputException(p + ": PCR values do not match the selection " + TpmCommand.sel(sel));
                }
                m.put(i, digests.get(next++));
            }
            out.put(bank.hash(), m);
        }
        if (next != digests.size()) {
            throw new InputException(p + ": more PCR values than the selection " + TpmCommand.sel(sel) + " has");
        }
        return Optional.of(PcrValues.of(out));
    }

    /** {@code b} as a JSON object, else an error naming the {@code expected} form. */
    private static JsonNode jsonObject(Path p, byte[] b, String expected) throws InputException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(b);
        } catch (IOException e) {
            throw new InputException(p + ": not valid JSON", e);
        }
        if (root == null || !root.isObject()) {
            throw new InputException(p + ": expected " + expected);
        }
        return root;
    }

    private static PcrValues pcrsJson(Path p, byte[] b) throws InputException {
        JsonNode root = jsonObject(p, b, "a JSON object {\"sha256\": {\"0\": \"<hex>\", ...}}");
        Map<HashAlg, Map<Integer, byte[]>> out = new EnumMap<>(HashAlg.class);
        for (Map.Entry<String, JsonNode> bank : root.properties()) {
            HashAlg h = bank(p, bank.getKey());
            if (!bank.getValue().isObject()) {
                throw new InputException(p + ": \"" + bank.getKey() + "\" is not an object");
            }
            Map<Integer, byte[]> values = new TreeMap<>();
            for (Map.Entry<String, JsonNode> pcr : bank.getValue().properties()) {
                if (!pcr.getKey().matches("0|[1-9][0-9]?") || Integer.parseInt(pcr.getKey()) > 23) {
                    throw new InputException(p + ": PCR index \"" + pcr.getKey() + "\" is not 0..23");
                }
                String hex = pcr.getValue().isTextual() ? pcr.getValue().asText() : "";
                byte[] v;
                try {
                    v = HEX.parseHex(hex.startsWith("0x") ? hex.substring(2) : hex);
                } catch (IllegalArgumentException e) {
                    throw new InputException(p + ": " + bank.getKey() + " PCR " + pcr.getKey() + " is not hex");
                }
                if (v.length != h.digestSize()) {
                    throw new InputException(p + ": " + bank.getKey() + " PCR " + pcr.getKey() + " has " + v.length
                            + " bytes, not " + h.digestSize());
                }
                values.put(Integer.parseInt(pcr.getKey()), v);
            }
            out.put(h, values);
        }
        return PcrValues.of(out);
    }

    static HashAlg bank(Path p, String name) throws InputException {
        for (HashAlg h : HashAlg.values()) {
            if (h.name().toLowerCase(Locale.ROOT).equals(name)) {
                return h;
            }
        }
        throw new InputException((p == null ? "" : p + ": ") + "unknown PCR bank \"" + name + "\" (sha1, sha256, sha384, sha512)");
    }

    /** The JSON form, banks and PCRs in order. */
    static Map<String, Map<String, String>> json(PcrValues values) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<HashAlg, SortedMap<Integer, byte[]>> bank : values.asMap().entrySet()) {
            Map<String, String> m = new LinkedHashMap<>();
            bank.getValue().forEach((i, v) -> m.put(Integer.toString(i), HEX.formatHex(v)));
            out.put(bank.getKey().name().toLowerCase(Locale.ROOT), m);
        }
        return out;
    }

    /**
     * A PCR selection in tpm2-tools' syntax: {@code sha256:0,1,2+sha1:0}, ranges allowed
     * ({@code sha256:0-7,10}).
     */
    static PcrSelection selection(String spec) throws InputException {
        java.util.List<PcrSelection.Bank> banks = new java.util.ArrayList<>();
        for (String part : spec.split("\\+", -1)) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                throw new InputException("--pcrs: expected BANK:LIST, e.g. sha256:0-7,10, got \"" + part + "\"");
            }
            HashAlg h = bank(null, part.substring(0, colon));
            TreeSet<Integer> set = new TreeSet<>();
            for (String item : part.substring(colon + 1).split(",", -1)) {
                String[] range = item.split("-", -1);
                if (range.length > 2 || !item.matches("\\d{1,2}(-\\d{1,2})?")) {
                    throw new InputException("--pcrs: \"" + item + "\" is not a PCR index or range");
                }
                int from = Integer.parseInt(range[0]);
                int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
                if (from > to || to > 23) {
                    throw new InputException("--pcrs: \"" + item + "\" is not within 0..23");
                }
                for (int i = from; i <= to; i++) {
                    set.add(i);
                }
            }
            banks.add(new PcrSelection.Bank(h, set));
        }
        try {
            return new PcrSelection(banks);
        } catch (IllegalArgumentException e) {
            throw new InputException("--pcrs: " + e.getMessage(), e);
        }
    }
}
