package dev.attest.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code attest} command. Exit codes: 0 success, 3 unusable input (including a mistyped
 * command line) or a failure; {@code verify} uses 1 for "warning" and 2 for "contraindicated",
 * and the commands that check a signature use 2 when it does not verify. Errors are one line on
 * stderr ({@code --verbose} adds the cause chain), never a stack trace.
 */
@Command(name = "attest", mixinStandardHelpOptions = true, version = "attest " + Attest.VERSION,
        description = "Integrity measurement and remote attestation.",
        subcommands = {MeasureCommand.class, KeygenCommand.class, EvidenceCommand.class, InspectCommand.class,
                VerifyCommand.class, RefsCommand.class, CorimCommand.class, TpmCommand.class,
                CommandLine.HelpCommand.class})
public final class Attest {
    /** Exit code for unusable input or a failure. */
    static final int EXIT_FAILURE = 3;
    /** Exit code for a signature that does not verify (and for "contraindicated"). */
    static final int EXIT_REJECTED = 2;
    /** This build's version. */
    static final String VERSION = "0.1.0-SNAPSHOT";

    /** Where {@code -} reads from. */
    InputStream in = System.in;

    /**
     * Runs the command line and exits with its code (0 success, 1 warning, 2 contraindicated or
     * a bad signature, 3 unusable input).
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with the given output streams and returns its exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, System.in, out, err);
    }

    /** Runs the command with the given standard streams and returns its exit code. */
    static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        Attest root = new Attest();
        root.in = in;
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // Help is laid out for 80 columns whatever the terminal, as the golden files hold it.
        cl.setUsageHelpAutoWidth(false);
        cl.setUsageHelpWidth(80);
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("attest: " + oneLine(e) + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return EXIT_FAILURE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("attest: " + oneLine(e));
            if (verbose) {
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    err.println("  caused by: " + oneLine(c));
                }
            }
            return e instanceof InputException ie ? ie.exitCode() : EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
