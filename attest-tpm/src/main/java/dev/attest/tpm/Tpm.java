package dev.attest.tpm;

import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.internal.Alg;
import dev.attest.tpm.internal.TpmReader;
import dev.attest.tpm.internal.TpmWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A TPM 2.0 client over a {@link TpmTransport}. Commands are marshalled per TPM 2.0 Part 3;
 * authorizations use the password session TPM_RS_PW with empty auth (Part 1 §19.8.4). Methods
 * throw {@link TpmException} when the TPM answers with an error code, {@link TpmFormatException}
 * when the response is malformed, and other {@link IOException}s on transport failure. Not
 * thread-safe.
 */
public final class Tpm implements AutoCloseable {
    /** TPM2_Startup type (Part 2 §6.5 TPM_SU). */
    public enum StartupType {
        /** TPM_SU_CLEAR: TPM Reset or TPM Restart. */
        CLEAR(0x0000),
        /** TPM_SU_STATE: TPM Resume. */
        STATE(0x0001);

        private final int value;

        StartupType(int value) {
            this.value = value;
        }
    }

    private static final int MAX_LOOPS = 64;
    private static final int MAX_RETRIES = 10;
    private static final int CAP_TPM_PROPERTIES = 6;
    private static final int ST_HASHCHECK = 0x8024;
    private static final int CAP_PCRS = 5;
    private static final int PT_FIXED = 0x100;
    private static final int PT_NV_BUFFER_MAX = 0x12C;
    private static final int RC_YIELDED = 0x908;
    private static final int RC_TESTING = 0x90A;
    private static final int RC_RETRY = 0x922;

    private final TpmTransport transport;

    private Tpm(TpmTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /**
     * @param transport an open transport; closed by {@link #close()}
     * @return a client
     */
    public static Tpm over(TpmTransport transport) {
        return new Tpm(transport);
    }

    /**
     * TPM2_Startup (Part 3 §9.3).
     *
     * @param type the startup type
     * @throws TpmException e.g. TPM_RC_INITIALIZE if the TPM was already started
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     */
    public void startup(StartupType type) throws IOException, TpmException {
        run(Alg.CC_STARTUP, new int[0], 0, new TpmWriter().u16(type.value).toByteArray(), 0).end();
    }

    /**
     * TPM2_GetRandom (Part 3 §16.1), repeated until {@code count} bytes have been returned.
     *
     * @param count number of bytes, 0..65535
     * @return {@code count} random bytes
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public byte[] getRandom(int count) throws IOException, TpmException {
        if (count < 0 || count > 0xFFFF) {
            throw new IllegalArgumentException("count " + count);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(count);
        while (out.size() < count) {
            int want = Math.min(64, count - out.size());
            Response r = run(Alg.CC_GET_RANDOM, new int[0], 0, new TpmWriter().u16(want).toByteArray(), 0);
            byte[] b = r.params.tpm2b(want, "randomBytes");
            r.end();
            if (b.length == 0) {
                throw new TpmFormatException(Reason.INVALID_VALUE, 0, "TPM returned no random bytes");
            }
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }

    /**
     * TPM2_GetCapability(TPM_CAP_PCRS) (Part 3 §30.2): the PCR banks the TPM has allocated.
     *
     * @return per allocated bank, the PCRs it holds
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public PcrSelection pcrBanks() throws IOException, TpmException {
        Response r = run(Alg.CC_GET_CAPABILITY, new int[0], 0, new TpmWriter().u32(CAP_PCRS).u32(0).u32(1).toByteArray(), 0);
        r.params.u8("moreData");
        long at = r.params.offset();
        if (r.params.u32("capability") != CAP_PCRS) {
            throw new TpmFormatException(Reason.INVALID_VALUE, at, "capability in response");
        }
        List<PcrSelection.Bank> known = new ArrayList<>();
        // a TPM may allocate banks this SDK does not compute (SM3): they are skipped
        int count = r.params.u32("TPML_PCR_SELECTION.count");
        if (count < 0 || count > PcrSelection.MAX_BANKS) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, at + 4, "bank count " + count);
        }
        for (int i = 0; i < count; i++) {
            int alg = r.params.u16("hash");
            byte[] sel = r.params.bytes(r.params.u8("sizeofSelect"), "pcrSelect");
            if (sel.length > PcrSelection.MAX_SIZE_OF_SELECT) {
                throw new TpmFormatException(Reason.SIZE_LIMIT, at, "sizeofSelect " + sel.length);
            }
            TreeSet<Integer> pcrs = new TreeSet<>();
            for (int p = 0; p < sel.length * 8; p++) {
                if ((sel[p / 8] & (1 << (p % 8))) != 0) {
                    pcrs.add(p);
                }
            }
            Optional<HashAlg> h = HashAlg.fromAlgId(alg);
            if (h.isPresent()) {
                if (known.stream().anyMatch(b -> b.hash() == h.get())) {
                    throw new TpmFormatException(Reason.INVALID_VALUE, at, "bank listed twice: " + h.get());
                }
                known.add(new PcrSelection.Bank(h.get(), pcrs));
            }
        }
        r.end();
        return new PcrSelection(known);
    }

    /**
     * TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) for the fixed identification properties (Part 2 §6.13).
     *
     * @return the identification properties
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public TpmInfo info() throws IOException, TpmException {
        Map<Integer, Integer> props = new TreeMap<>();
        int next = PT_FIXED;
        for (int loop = 0; loop < MAX_LOOPS && next <= PT_NV_BUFFER_MAX; loop++) {
            Response r = run(Alg.CC_GET_CAPABILITY, new int[0], 0,
                    new TpmWriter().u32(CAP_TPM_PROPERTIES).u32(next).u32(PT_NV_BUFFER_MAX - next + 1).toByteArray(), 0);
            int more = r.params.u8("moreData");
            long at = r.params.offset();
            if (r.params.u32("capability") != CAP_TPM_PROPERTIES) {
                throw new TpmFormatException(Reason.INVALID_VALUE, at, "capability in response");
            }
            int count = r.params.u32("TPML_TAGGED_TPM_PROPERTY.count");
            if (count < 0 || count > 256) {
                throw new TpmFormatException(Reason.SIZE_LIMIT, at + 4, "property count " + count);
            }
            int last = next - 1;
            for (int i = 0; i < count; i++) {
                last = r.params.u32("property");
                props.put(last, r.params.u32("value"));
            }
            r.end();
            if (more == 0 || count == 0 || last < next) {
                break;
            }
            next = last + 1;
        }
        StringBuilder vendor = new StringBuilder();
        for (int p = PT_FIXED + 6; p <= PT_FIXED + 9; p++) {
            vendor.append(chars(props.getOrDefault(p, 0)));
        }
        long fw = (Integer.toUnsignedLong(props.getOrDefault(PT_FIXED + 0xB, 0)) << 32)
                | Integer.toUnsignedLong(props.getOrDefault(PT_FIXED + 0xC, 0));
        return new TpmInfo(chars(props.getOrDefault(PT_FIXED + 5, 0)), vendor.toString(), fw,
                props.getOrDefault(PT_FIXED + 1, 0), props.getOrDefault(PT_FIXED + 2, 0),
                props.getOrDefault(PT_NV_BUFFER_MAX, 0));
    }

    private static String chars(int v) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (v >>> shift) & 0xFF;
            if (c != 0) {
                sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
            }
        }
        return sb.toString();
    }

    /**
     * Reads a whole NV index (TPM2_NV_ReadPublic, Part 3 §31.6, then TPM2_NV_Read, §31.13, in
     * chunks of TPM_PT_NV_BUFFER_MAX), authorizing with the index's own empty auth (TPMA_NV_AUTHREAD)
     * or else the owner's (TPMA_NV_OWNERREAD).
     *
     * @param nvIndex the NV index handle (0x01xxxxxx)
     * @return the contents, or empty if the index is not defined
     * @throws TpmException e.g. TPM_RC_NV_UNINITIALIZED if it was never written
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     */
    public Optional<byte[]> nvRead(int nvIndex) throws IOException, TpmException {
        Response pub;
        try {
            pub = run(Alg.CC_NV_READ_PUBLIC, new int[] {nvIndex}, 0, new byte[0], 0);
        } catch (TpmException e) {
            if (e.baseCode() == 0x08B) {
                return Optional.empty();
            }
            throw e;
        }
        TpmReader np = pub.params.sub(pub.params.u16("TPM2B_NV_PUBLIC.size"), "TPMS_NV_PUBLIC");
        long at = np.offset();
        if (np.u32("nvIndex") != nvIndex) {
            throw new TpmFormatException(Reason.INVALID_VALUE, at, "NV_ReadPublic answered for another index");
        }
        np.u16("nameAlg");
        int attrs = np.u32("attributes");
        np.tpm2b(64, "authPolicy");
        int size = np.u16("dataSize");
        np.end("TPMS_NV_PUBLIC");
        pub.params.tpm2b(66, "nvName");
        pub.end();
        int auth;
        if ((attrs & 0x00040000) != 0) {
            auth = nvIndex;
        } else if ((attrs & 0x00020000) != 0) {
            auth = Hierarchy.OWNER.handle();
        } else {
            throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, at + 6, "NV index readable only with platform or policy auth");
        }
        int chunk = Math.max(64, Math.min(1024, info().nvBufferMax()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        while (out.size() < size) {
            int n = Math.min(chunk, size - out.size());
            Response r = run(Alg.CC_NV_READ, new int[] {auth, nvIndex}, 1, new TpmWriter().u16(n).u16(out.size()).toByteArray(), 0);
            byte[] d = r.params.tpm2b(n, "data");
            r.end();
            if (d.length != n) {
                throw new TpmFormatException(Reason.INVALID_VALUE, 0, "NV_Read returned " + d.length + " of " + n + " bytes");
            }
            out.write(d, 0, d.length);
        }
        return Optional.of(out.toByteArray());
    }

    /**
     * Reads the EK certificate the manufacturer stored at the TCG EK Credential Profile NV index
     * (§2.2.1.5: 0x01C00002 for RSA 2048, 0x01C0000A for ECC NIST P-256).
     *
     * @param type the EK's key type
     * @return the DER certificate, or empty if the TPM has none for this key type
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public Optional<byte[]> ekCertificate(TpmtPublic.KeyType type) throws IOException, TpmException {
        return nvRead(type == TpmtPublic.KeyType.RSA ? 0x01C00002 : 0x01C0000A);
    }

    /**
     * TPM2_PCR_Read (Part 3 §22.4), repeated until every selected PCR was read (a TPM returns at
     * most 8 digests per call).
     *
     * @param selection the PCRs to read
     * @return the values of every selected PCR
     * @throws TpmFormatException INVALID_VALUE if the TPM will not return a selected PCR
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public PcrValues pcrRead(PcrSelection selection) throws IOException, TpmException {
        Map<HashAlg, TreeSet<Integer>> remaining = new EnumMap<>(HashAlg.class);
        for (PcrSelection.Bank b : selection.banks()) {
            remaining.put(b.hash(), new TreeSet<>(b.pcrs()));
        }
        Map<HashAlg, Map<Integer, byte[]>> values = new EnumMap<>(HashAlg.class);
        for (PcrSelection.Bank b : selection.banks()) {
            values.put(b.hash(), new TreeMap<>());
        }
        for (int loop = 0; remaining.values().stream().anyMatch(s -> !s.isEmpty()); loop++) {
            if (loop >= MAX_LOOPS) {
                throw new TpmFormatException(Reason.SIZE_LIMIT, 0, "PCR_Read did not converge");
            }
            List<PcrSelection.Bank> req = new ArrayList<>();
            remaining.forEach((h, s) -> {
                if (!s.isEmpty()) {
                    req.add(new PcrSelection.Bank(h, s));
                }
            });
            Response r = run(Alg.CC_PCR_READ, new int[0], 0, new PcrSelection(req).encode(), 0);
            r.params.u32("pcrUpdateCounter");
            PcrSelection got = PcrSelection.read(r.params);
            long at = r.params.offset();
            int count = r.params.u32("TPML_DIGEST.count");
            int expected = got.banks().stream().mapToInt(b -> b.pcrs().size()).sum();
            if (count != expected || count > 8) {
                throw new TpmFormatException(Reason.INVALID_VALUE, at, "PCR_Read returned " + count + " digests for "
                        + expected + " selected PCRs");
            }
            if (count == 0) {
                throw new TpmFormatException(Reason.INVALID_VALUE, at, "TPM does not return selected PCRs " + remaining);
            }
            for (PcrSelection.Bank b : got.banks()) {
                for (int p : b.pcrs()) {
                    long dAt = r.params.offset();
                    byte[] d = r.params.tpm2b(64, "TPM2B_DIGEST");
                    TreeSet<Integer> rem = remaining.get(b.hash());
                    if (d.length != b.hash().digestSize() || rem == null || !rem.remove(p)) {
                        throw new TpmFormatException(Reason.INVALID_VALUE, dAt, "unexpected PCR " + b.hash() + ":" + p);
                    }
                    values.get(b.hash()).put(p, d);
                }
            }
            r.end();
        }
        return PcrValues.of(values);
    }

    /**
     * TPM2_PCR_Extend (Part 3 §22.2) of one bank: PCR := H(PCR || digest).
     *
     * @param pcr PCR index (the PCR's handle equals its index)
     * @param hash the bank
     * @param digest the digest to extend, of the bank's digest size
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public void pcrExtend(int pcr, HashAlg hash, byte[] digest) throws IOException, TpmException {
        if (digest.length != hash.digestSize()) {
            throw new IllegalArgumentException("digest length " + digest.length + " for " + hash);
        }
        byte[] p = new TpmWriter().u32(1).u16(hash.algId()).bytes(digest).toByteArray();
        run(Alg.CC_PCR_EXTEND, new int[] {pcr}, 1, p, 0).end();
    }

    /**
     * TPM2_CreatePrimary (Part 3 §24.1) with empty userAuth and no creation PCRs. With the same
     * template and hierarchy seed the TPM derives the same key every time.
     *
     * @param hierarchy the primary seed
     * @param template e.g. {@link TpmtPublic#akEccP256Template()}, {@link TpmtPublic#ekEccP256Template()}
     * @return the loaded key
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public LoadedKey createPrimary(Hierarchy hierarchy, TpmtPublic template) throws IOException, TpmException {
        TpmWriter w = new TpmWriter();
        w.tpm2b(new TpmWriter().tpm2b(new byte[0]).tpm2b(new byte[0]).toByteArray()); // TPM2B_SENSITIVE_CREATE
        w.bytes(template.encodeTpm2b());
        w.tpm2b(new byte[0]); // outsideInfo
        w.u32(0); // creationPCR
        Response r = run(Alg.CC_CREATE_PRIMARY, new int[] {hierarchy.handle()}, 1, w.toByteArray(), 1);
        TpmtPublic pub = TpmtPublic.readTpm2b(r.params);
        r.params.tpm2b(4096, "TPM2B_CREATION_DATA");
        r.params.tpm2b(64, "creationHash");
        r.params.u16("TPMT_TK_CREATION.tag");
        r.params.u32("TPMT_TK_CREATION.hierarchy");
        r.params.tpm2b(64, "TPMT_TK_CREATION.digest");
        byte[] name = r.params.tpm2b(66, "name");
        r.end();
        return new LoadedKey(r.handles[0], pub, name);
    }

    /**
     * TPM2_Create (Part 3 §12.1): creates a key under a loaded storage parent (e.g. an SRK from
     * {@link TpmtPublic#srkEccP256Template()}) with empty userAuth. The private part comes back
     * encrypted by the parent; store the blob and {@link #load} it when needed.
     *
     * @param parentHandle a loaded restricted decryption key, empty auth
     * @param template the key template, e.g. {@link TpmtPublic#akEccP256Template()}
     * @return the wrapped private part and the public area
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public KeyBlob create(int parentHandle, TpmtPublic template) throws IOException, TpmException {
        TpmWriter w = new TpmWriter();
        w.tpm2b(new TpmWriter().tpm2b(new byte[0]).tpm2b(new byte[0]).toByteArray());
        w.bytes(template.encodeTpm2b());
        w.tpm2b(new byte[0]);
        w.u32(0);
        Response r = run(Alg.CC_CREATE, new int[] {parentHandle}, 1, w.toByteArray(), 0);
        byte[] priv = r.params.tpm2b(KeyBlob.MAX_PRIVATE, "TPM2B_PRIVATE");
        TpmtPublic pub = TpmtPublic.readTpm2b(r.params);
        r.params.tpm2b(4096, "TPM2B_CREATION_DATA");
        r.params.tpm2b(64, "creationHash");
        r.params.u16("TPMT_TK_CREATION.tag");
        r.params.u32("TPMT_TK_CREATION.hierarchy");
        r.params.tpm2b(64, "TPMT_TK_CREATION.digest");
        r.end();
        return new KeyBlob(priv, pub);
    }

    /**
     * TPM2_Load (Part 3 §12.2): loads a key made by {@link #create} under the same parent.
     *
     * @param parentHandle the parent the key was created under
     * @param key the blob from {@link #create}
     * @return the loaded key
     * @throws TpmFormatException INVALID_VALUE if the Name the TPM reports does not match the public area
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public LoadedKey load(int parentHandle, KeyBlob key) throws IOException, TpmException {
        TpmWriter w = new TpmWriter().tpm2b(key.privateBlob()).bytes(key.publicArea().encodeTpm2b());
        Response r = run(Alg.CC_LOAD, new int[] {parentHandle}, 1, w.toByteArray(), 1);
        long at = r.params.offset();
        byte[] name = r.params.tpm2b(66, "name");
        r.end();
        if (!Arrays.equals(name, key.publicArea().name())) {
            throw new TpmFormatException(Reason.INVALID_VALUE, at, "Name does not match the public area");
        }
        return new LoadedKey(r.handles[0], key.publicArea(), name);
    }

    /**
     * TPM2_Quote (Part 3 §18.4) with the key's own signing scheme (inScheme TPM_ALG_NULL).
     *
     * @param signingKey handle of a restricted signing key
     * @param selection the PCRs to quote
     * @param qualifyingData the verifier's nonce (at most 64 bytes), returned as extraData
     * @return the TPMS_ATTEST and TPMT_SIGNATURE bytes
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public Quote quote(int signingKey, PcrSelection selection, byte[] qualifyingData) throws IOException, TpmException {
        if (qualifyingData.length > 64) {
            throw new IllegalArgumentException("qualifying data longer than 64 bytes");
        }
        TpmWriter w = new TpmWriter().tpm2b(qualifyingData).u16(Alg.NULL);
        w.bytes(selection.encode());
        Response r = run(Alg.CC_QUOTE, new int[] {signingKey}, 1, w.toByteArray(), 0);
        long at = r.params.offset();
        byte[] attest = r.params.tpm2b(TpmsAttest.MAX_ENCODED, "TPM2B_ATTEST");
        int from = r.params.position();
        TpmtSignature.read(r.params);
        byte[] sig = r.params.slice(from);
        r.end();
        if (attest.length == 0) {
            throw new TpmFormatException(Reason.INVALID_VALUE, at, "empty TPM2B_ATTEST");
        }
        return new Quote(attest, sig);
    }

    /**
     * TPM2_Sign (Part 3 §20.2) of a digest with an unrestricted signing key and its own scheme
     * (e.g. {@link TpmtPublic#signingEccP256Template()}); no hash-check ticket, so a restricted
     * key (an AK) refuses with TPM_RC_TICKET rather than sign data that could pass as a quote.
     *
     * @param keyHandle a loaded signing key with empty auth
     * @param digest the digest to sign, of the key scheme's hash size
     * @return the signature
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public TpmtSignature sign(int keyHandle, byte[] digest) throws IOException, TpmException {
        if (digest.length == 0 || digest.length > 64) {
            throw new IllegalArgumentException("digest of " + digest.length + " bytes");
        }
        TpmWriter w = new TpmWriter().tpm2b(digest).u16(Alg.NULL)
                .u16(ST_HASHCHECK).u32(Hierarchy.NULL.handle()).tpm2b(new byte[0]);
        Response r = run(Alg.CC_SIGN, new int[] {keyHandle}, 1, w.toByteArray(), 0);
        TpmtSignature sig = TpmtSignature.read(r.params);
        r.end();
        return sig;
    }

    /**
     * TPM2_ReadPublic (Part 3 §12.4).
     *
     * @param handle the object's handle
     * @return the object's handle, public area and Name
     * @throws TpmFormatException INVALID_VALUE if the Name the TPM reports does not match the public area
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public LoadedKey readPublic(int handle) throws IOException, TpmException {
        Response r = run(Alg.CC_READ_PUBLIC, new int[] {handle}, 0, new byte[0], 0);
        TpmtPublic pub = TpmtPublic.readTpm2b(r.params);
        long at = r.params.offset();
        byte[] name = r.params.tpm2b(66, "name");
        r.params.tpm2b(66, "qualifiedName");
        r.end();
        if (!Arrays.equals(name, pub.name())) {
            throw new TpmFormatException(Reason.INVALID_VALUE, at, "Name does not match the public area");
        }
        return new LoadedKey(handle, pub, name);
    }

    /**
     * TPM2_ActivateCredential (Part 3 §12.5) for a key under a TCG-template EK: starts a policy
     * session, satisfies the EK's PolicyA (TPM2_PolicySecret with TPM_RH_ENDORSEMENT, empty
     * endorsement auth), and recovers the credential a verifier made with
     * {@link CredentialChallenge#make}. The policy session is flushed afterwards.
     *
     * @param activateHandle the key the credential is bound to (the AK), empty auth
     * @param ekHandle the endorsement key
     * @param challenge the verifier's credential blob and encrypted seed
     * @return the credential
     * @throws TpmException e.g. TPM_RC_INTEGRITY if the blob was made for another key or EK
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     */
    public byte[] activateCredential(int activateHandle, int ekHandle, CredentialChallenge challenge)
            throws IOException, TpmException {
        int session = startPolicySession();
        try {
            TpmWriter ps = new TpmWriter().tpm2b(new byte[0]).tpm2b(new byte[0]).tpm2b(new byte[0]).u32(0);
            Response pr = run(Alg.CC_POLICY_SECRET, new int[] {Hierarchy.ENDORSEMENT.handle(), session},
                    new int[] {Alg.RS_PW}, ps.toByteArray(), 0);
            pr.params.tpm2b(64, "timeout");
            pr.params.u16("TPMT_TK_AUTH.tag");
            pr.params.u32("TPMT_TK_AUTH.hierarchy");
            pr.params.tpm2b(64, "TPMT_TK_AUTH.digest");
            pr.end();
            TpmWriter p = new TpmWriter().tpm2b(challenge.credentialBlob()).tpm2b(challenge.secret());
            // continueSession is clear: the TPM flushes the policy session after this command
            Response r = run(Alg.CC_ACTIVATE_CREDENTIAL, new int[] {activateHandle, ekHandle},
                    new int[] {Alg.RS_PW, session}, p.toByteArray(), 0);
            byte[] cred = r.params.tpm2b(64, "certInfo");
            r.end();
            session = 0;
            return cred;
        } finally {
            if (session != 0) {
                try {
                    flushContext(session);
                } catch (TpmException | IOException ignored) {
                    // the original failure is the one to report
                }
            }
        }
    }

    /** TPM2_StartAuthSession (Part 3 §11.1): unbound, unsalted policy session with SHA-256. */
    private int startPolicySession() throws IOException, TpmException {
        byte[] nonce = getRandom(32);
        TpmWriter w = new TpmWriter().tpm2b(nonce).tpm2b(new byte[0]).u8(0x01).u16(Alg.NULL).u16(HashAlg.SHA256.algId());
        Response r = run(Alg.CC_START_AUTH_SESSION, new int[] {Hierarchy.NULL.handle(), Hierarchy.NULL.handle()}, 0,
                w.toByteArray(), 1);
        r.params.tpm2b(64, "nonceTPM");
        r.end();
        return r.handles[0];
    }

    /**
     * TPM2_FlushContext (Part 3 §28.4): unloads a transient object or session.
     *
     * @param handle the handle of the object or session
     * @throws IOException on transport failure; {@link TpmFormatException} for a malformed response
     * @throws TpmException if the TPM answers with an error code
     */
    public void flushContext(int handle) throws IOException, TpmException {
        run(Alg.CC_FLUSH_CONTEXT, new int[0], 0, new TpmWriter().u32(handle).toByteArray(), 0).end();
    }

    /** Closes the transport. */
    @Override
    public void close() throws IOException {
        transport.close();
    }

    private static boolean isRetry(byte[] resp) {
        // only a well-formed error response: tag TPM_ST_NO_SESSIONS, size 10
        if (resp.length != 10 || resp[0] != (byte) 0x80 || resp[1] != 0x01 || resp[2] != 0 || resp[3] != 0 || resp[4] != 0
                || resp[5] != 10) {
            return false;
        }
        int rc = ((resp[6] & 0xFF) << 24) | ((resp[7] & 0xFF) << 16) | ((resp[8] & 0xFF) << 8) | (resp[9] & 0xFF);
        return rc == RC_RETRY || rc == RC_YIELDED || rc == RC_TESTING;
    }

    private static final class Response {
        final int[] handles;
        final TpmReader params;
        final TpmReader auth;

        Response(int[] handles, TpmReader params, TpmReader auth) {
            this.handles = handles;
            this.params = params;
            this.auth = auth;
        }

        void end() throws TpmFormatException {
            params.end("response parameters");
            if (auth != null) {
                while (auth.remaining() > 0) {
                    auth.tpm2b(64, "TPMS_AUTH_RESPONSE.nonce");
                    auth.u8("TPMS_AUTH_RESPONSE.sessionAttributes");
                    auth.tpm2b(64, "TPMS_AUTH_RESPONSE.hmac");
                }
            }
        }
    }

    /**
     * Marshals and sends a command (Part 1 §18.2) whose first {@code authHandles} handles are
     * authorized with an empty password, and splits the response into handles and parameters.
     */
    private Response run(int cc, int[] handles, int authHandles, byte[] params, int responseHandles)
            throws IOException, TpmException {
        int[] sessions = new int[authHandles];
        Arrays.fill(sessions, Alg.RS_PW);
        return run(cc, handles, sessions, params, responseHandles);
    }

    /**
     * As above, with one authorization per session handle: TPM_RS_PW with an empty password, or
     * a policy session whose HMAC key is empty (unbound, unsalted, no PolicyAuthValue), so its
     * hmac is the Empty Buffer (Part 1 §19.6.5).
     */
    private Response run(int cc, int[] handles, int[] sessions, byte[] params, int responseHandles)
            throws IOException, TpmException {
        int authHandles = sessions.length;
        TpmWriter body = new TpmWriter();
        for (int h : handles) {
            body.u32(h);
        }
        if (authHandles > 0) {
            TpmWriter auth = new TpmWriter();
            for (int session : sessions) {
                auth.u32(session).tpm2b(new byte[0]).u8(0).tpm2b(new byte[0]);
            }
            byte[] a = auth.toByteArray();
            body.u32(a.length).bytes(a);
        }
        body.bytes(params);
        byte[] b = body.toByteArray();
        byte[] cmd = new TpmWriter().u16(authHandles > 0 ? Alg.ST_SESSIONS : Alg.ST_NO_SESSIONS).u32(10 + b.length)
                .u32(cc).bytes(b).toByteArray();
        byte[] resp = transport.transmit(cmd);
        // TPM_RC_RETRY, TPM_RC_YIELDED and TPM_RC_TESTING ask the caller to resend the same
        // command (Part 1 §18.11, Part 2 §6.6.3); bounded so a TPM that always answers so fails.
        for (int attempt = 0; attempt < MAX_RETRIES && isRetry(resp); attempt++) {
            try {
                Thread.sleep(attempt == 0 ? 0 : Math.min(500, 5L << attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while retrying TPM command");
            }
            resp = transport.transmit(cmd);
        }
        TpmReader r = TpmReader.of(resp);
        int tag = r.u16("response.tag");
        long sAt = r.offset();
        int size = r.u32("response.size");
        if (size != resp.length) {
            throw new TpmFormatException(Reason.INVALID_VALUE, sAt, "response size field " + size + " but " + resp.length
                    + " bytes");
        }
        int rc = r.u32("response.code");
        if (rc != 0) {
            r.end("error response");
            throw new TpmException(cc, rc);
        }
        int expectTag = authHandles > 0 ? Alg.ST_SESSIONS : Alg.ST_NO_SESSIONS;
        if (tag != expectTag) {
            throw new TpmFormatException(Reason.INVALID_VALUE, 0, String.format("response tag 0x%04X", tag));
        }
        int[] out = new int[responseHandles];
        for (int i = 0; i < responseHandles; i++) {
            out[i] = r.u32("response.handle");
        }
        if (authHandles == 0) {
            return new Response(out, r.sub(r.remaining(), "parameters"), null);
        }
        long pAt = r.offset();
        int paramSize = r.u32("response.parameterSize");
        if (paramSize < 0 || paramSize > r.remaining()) {
            throw new TpmFormatException(Reason.TRUNCATED, pAt, "parameterSize " + paramSize);
        }
        TpmReader p = r.sub(paramSize, "parameters");
        return new Response(out, p, r.sub(r.remaining(), "authorization area"));
    }
}
