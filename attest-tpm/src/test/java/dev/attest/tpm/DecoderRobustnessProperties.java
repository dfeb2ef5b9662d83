package dev.attest.tpm;

import dev.attest.tpm.eventlog.EventLog;
import dev.attest.tpm.ima.ImaLog;
import dev.attest.tpm.ima.ImaPolicy;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * Arbitrary bytes into every decoder of this module: the only way out is the typed
 * {@link TpmFormatException} (or a result); never an unchecked exception, never an allocation
 * driven by a hostile size.
 */
class DecoderRobustnessProperties {
    interface Decoder {
        void decode(byte[] b) throws TpmFormatException;
    }

    static void typedOnly(Decoder d, byte[] b) {
        try {
            d.decode(b);
        } catch (TpmFormatException expected) {
            // typed rejection
        }
    }

    @Property
    void tpmStructures(@ForAll @Size(max = 600) byte[] b) {
        typedOnly(TpmtPublic::parse, b);
        typedOnly(TpmtPublic::parseTpm2b, b);
        typedOnly(TpmsAttest::parse, b);
        typedOnly(TpmtSignature::parse, b);
    }

    @Property
    void tpmStructuresWithPlausibleHeaders(@ForAll @Size(max = 300) byte[] tail, @ForAll int pick) {
        byte[][] heads = {
            TpmtPublic.akEccP256Template().encode(), TpmtPublic.ekRsa2048Template().encode(),
            new byte[] {(byte) 0xFF, 0x54, 0x43, 0x47, (byte) 0x80, 0x18}, new byte[] {0, 0x18, 0, 0x0B},
            new byte[] {0, 0x14, 0, 0x0B}};
        byte[] h = heads[Math.floorMod(pick, heads.length)];
        int keep = Math.floorMod(pick >>> 8, h.length + 1);
        byte[] b = java.util.Arrays.copyOf(h, keep + tail.length);
        System.arraycopy(tail, 0, b, keep, tail.length);
        typedOnly(TpmtPublic::parse, b);
        typedOnly(TpmsAttest::parse, b);
        typedOnly(TpmtSignature::parse, b);
    }

    @Property
    void logsAndPolicies(@ForAll @Size(max = 600) byte[] b) {
        typedOnly(x -> {
            EventLog l = EventLog.parse(x);
            l.replay();
            l.secureBootVariables();
            l.secureBootAuthorities();
            l.bootApplications();
        }, b);
        typedOnly(x -> ImaLog.parse(x).replay(), b);
        typedOnly(ImaPolicy::parseKeylime, b);
    }
}
