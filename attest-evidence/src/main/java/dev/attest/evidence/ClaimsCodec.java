package dev.attest.evidence;

import static dev.attest.evidence.EatProfile.*;

import dev.attest.core.Measurement;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** EAT claims to CBOR under this SDK's profile ({@link EatProfile}); {@link ClaimsReader} reads them back. */
final class ClaimsCodec {
    private ClaimsCodec() {
    }

    static Cbor.Map toCbor(EatClaims c) {
        Cbor.MapBuilder b = Cbor.map();
        c.iss().ifPresent(v -> b.put(ISS, Cbor.of(v)));
        c.sub().ifPresent(v -> b.put(SUB, Cbor.of(v)));
        c.exp().ifPresent(v -> b.put(EXP, Cbor.of(v.getEpochSecond())));
        c.nbf().ifPresent(v -> b.put(NBF, Cbor.of(v.getEpochSecond())));
        c.iat().ifPresent(v -> b.put(IAT, Cbor.of(v.getEpochSecond())));
        c.cti().ifPresent(v -> b.put(CTI, Cbor.of(v)));
        List<byte[]> nonces = c.nonces();
        if (nonces.size() == 1) {
            b.put(NONCE, Cbor.of(nonces.get(0)));
        } else if (nonces.size() > 1) {
            b.put(NONCE, new Cbor.Array(nonces.stream().<Cbor>map(Cbor::of).toList()));
        }
        c.ueid().ifPresent(v -> b.put(UEID, Cbor.of(v)));
        c.oemid().ifPresent(v -> b.put(OEMID, Cbor.of(v)));
        c.hwmodel().ifPresent(v -> b.put(HWMODEL, Cbor.of(v)));
        c.hwversion().ifPresent(v -> b.put(HWVERSION, Cbor.Array.of(Cbor.of(v))));
        c.uptime().ifPresent(v -> b.put(UPTIME, Cbor.of(v)));
        c.dbgstat().ifPresent(v -> b.put(DBGSTAT, Cbor.of(v.ordinal())));
        c.profile().ifPresent(v -> b.put(EAT_PROFILE, Cbor.of(v)));
        c.bootcount().ifPresent(v -> b.put(BOOTCOUNT, Cbor.of(v)));
        c.bootseed().ifPresent(v -> b.put(BOOTSEED, Cbor.of(v)));
        c.swname().ifPresent(v -> b.put(SWNAME, Cbor.of(v)));
        c.swversion().ifPresent(v -> b.put(SWVERSION, Cbor.Array.of(Cbor.of(v))));
        if (!c.measurements().isEmpty()) {
            List<Cbor> ms = new ArrayList<>();
            for (Measurement m : c.measurements()) {
                ms.add(Cbor.Array.of(Cbor.of(MEASUREMENT_CONTENT_FORMAT), Cbor.of(m.canonicalEncoding())));
            }
            b.put(MEASUREMENTS, new Cbor.Array(ms));
        }
        if (!c.measurementResults().isEmpty()) {
            List<Cbor> groups = new ArrayList<>();
            for (MeasurementResults g : c.measurementResults()) {
                List<Cbor> rs = new ArrayList<>();
                g.results().forEach(r -> rs.add(Cbor.Array.of(Cbor.of(r.id()), Cbor.of(r.outcome().ordinal() + 1))));
                groups.add(Cbor.Array.of(Cbor.of(g.system()), new Cbor.Array(rs)));
            }
            b.put(MEASRES, new Cbor.Array(groups));
        }
        if (!c.submods().isEmpty()) {
            Cbor.MapBuilder s = Cbor.map();
            c.submods().forEach((k, v) -> s.put(k, toCbor(v)));
            b.put(SUBMODS, s.build());
        }
        c.log().ifPresent(log -> {
            List<Cbor> order = new ArrayList<>();
            log.measurements().forEach(m -> order.add(Cbor.of(m.layer().name())));
            b.put(ATTEST_LOG, Cbor.map()
                    .put(1, Cbor.of(log.head().head().algorithm().namedInformationId()))
                    .put(2, Cbor.of(log.head().bootId()))
                    .put(3, Cbor.of(log.since().sequence()))
                    .put(4, Cbor.of(log.since().head().value()))
                    .put(5, Cbor.of(log.head().sequence()))
                    .put(6, Cbor.of(log.head().head().value()))
                    .put(7, new Cbor.Array(order))
                    .build());
        });
        return b.build();
    }

    static byte[] encode(EatClaims c) {
        return CborEncoder.encode(toCbor(c));
    }

}
