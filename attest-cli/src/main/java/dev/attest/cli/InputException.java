package dev.attest.cli;

/**
 * A command cannot go on: unusable input (exit 3) or a signature that does not verify (exit 2).
 * The message is the one line the user sees after {@code attest: }; it names the file and never
 * contains key material.
 */
final class InputException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    InputException(String message) {
        this(message, Attest.EXIT_FAILURE, null);
    }

    InputException(String message, Throwable cause) {
        this(message, Attest.EXIT_FAILURE, cause);
    }

    InputException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
