package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * Every command's {@code --help}, as a user sees it at 80 columns, is a golden file in
 * {@code src/test/resources/help/} ({@code attest-tpm-verify-quote.txt} for {@code attest tpm
 * verify-quote --help}). A changed help text fails here until its golden file is written anew:
 * run this test with {@code -Dattest.help.update=true} and review the diff. No line is wider than
 * 80 columns, every command has a golden file and no golden file outlives its command.
 */
class HelpGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/help");
    private static final boolean UPDATE = Boolean.getBoolean("attest.help.update");

    @TestFactory
    Stream<DynamicTest> everyCommandsHelpIsItsGoldenFile() {
        return commands().stream().map(cmd -> DynamicTest.dynamicTest(String.join(" ", cmd), () -> {
            String help = help(cmd);
            Path file = GOLDEN.resolve(String.join("-", cmd) + ".txt");
            if (UPDATE) {
                Files.createDirectories(GOLDEN);
                Files.writeString(file, help, StandardCharsets.UTF_8);
            }
            assertTrue(Files.isRegularFile(file), "no golden file " + file + " (run with -Dattest.help.update=true)");
            assertEquals(Files.readString(file, StandardCharsets.UTF_8), help, String.join(" ", cmd) + " --help");
        }));
    }

    @Test
    void noLineIsWiderThan80Columns() {
        for (List<String> cmd : commands()) {
            for (String line : help(cmd).split("\n", -1)) {
                assertTrue(line.length() <= 80, String.join(" ", cmd) + ": " + line.length() + " columns: " + line);
            }
        }
    }

    @Test
    void noGoldenFileOutlivesItsCommand() throws IOException {
        TreeSet<String> expected = new TreeSet<>();
        commands().forEach(c -> expected.add(String.join("-", c) + ".txt"));
        TreeSet<String> present = new TreeSet<>();
        try (Stream<Path> s = Files.list(GOLDEN)) {
            s.forEach(p -> present.add(p.getFileName().toString()));
        }
        assertEquals(expected, present);
    }

    @Test
    void theCommandTreeIsWalked() {
        List<List<String>> all = commands();
        assertTrue(all.contains(List.of("attest")), "the root");
        assertTrue(all.contains(List.of("attest", "tpm", "verify-quote")), "a nested command");
        assertTrue(all.contains(List.of("attest", "refs", "capture")), "another nested command");
    }

    /** {@code cmd --help} through {@link Attest#run}, as the {@code attest} script runs it. */
    private static String help(List<String> cmd) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(cmd.subList(1, cmd.size()));
        args.add("--help");
        int code = Attest.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, "exit code of " + args);
        assertEquals("", err.toString(), "stderr of " + args);
        return out.toString().replace("\r\n", "\n");
    }

    /** Every command's path from the root, e.g. [attest, tpm, verify-quote], the help command left out. */
    private static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        walk(new CommandLine(new Attest()), List.of("attest"), all);
        return all;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> all) {
        all.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand
                    || !name.equals(sub.getCommandName())) {
                return;
            }
            List<String> p = new ArrayList<>(path);
            p.add(name);
            walk(sub, List.copyOf(p), all);
        });
    }
}
