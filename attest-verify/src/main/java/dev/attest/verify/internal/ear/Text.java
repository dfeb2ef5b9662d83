package dev.attest.verify.internal.ear;

/** String checks shared by the EAR model: strings must survive UTF-8 (no unpaired surrogates). */
public final class Text {
    private Text() {
    }

    /** True if {@code s} has no unpaired UTF-16 surrogate, i.e. encodes to UTF-8 losslessly. */
    public static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** @throws IllegalArgumentException if {@code s} is empty or not well-formed */
    public static String requireNonEmpty(String s, String what) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return requireWellFormed(s, what);
    }

    /** @throws IllegalArgumentException if {@code s} has an unpaired surrogate */
    public static String requireWellFormed(String s, String what) {
        if (!isWellFormed(s)) {
            throw new IllegalArgumentException(what + " contains an unpaired surrogate");
        }
        return s;
    }
}
