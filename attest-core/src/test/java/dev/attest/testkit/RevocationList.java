package dev.attest.testkit;

import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.PKIXCertPathChecker;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A revocation hook for PKIX tests: counts the certificates it is asked about (PKIX works on
 * clones of a checker; they share the counter) and refuses every certificate once
 * {@link #revoke()} was called (until {@link #reinstate()}).
 */
public final class RevocationList extends PKIXCertPathChecker {
    private final AtomicInteger checked = new AtomicInteger();
    private final AtomicBoolean revoked = new AtomicBoolean();

    /** How many certificates it was asked about so far. */
    public int checked() {
        return checked.get();
    }

    /** From now on every certificate is refused as revoked. */
    public void revoke() {
        revoked.set(true);
    }

    /** From now on certificates are accepted again. */
    public void reinstate() {
        revoked.set(false);
    }

    @Override
    public void init(boolean forward) {
    }

    @Override
    public boolean isForwardCheckingSupported() {
        return false;
    }

    @Override
    public Set<String> getSupportedExtensions() {
        return null;
    }

    @Override
    public void check(Certificate cert, Collection<String> unresolvedCritExts) throws CertPathValidatorException {
        checked.incrementAndGet();
        if (revoked.get()) {
            throw new CertPathValidatorException("revoked");
        }
    }
}
