package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.testkit.Vectors;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Docs that cannot rot: every {@code ```java} block of README.md and docs/*.md is compiled
 * against the SDK (this module's test class path holds every module), and a block that does not
 * compile fails the build, naming the file and line.
 *
 * <p>Each block becomes the body of its own method ({@code throws Exception}), or, when it
 * declares a type, a member of the class; the SDK's exported packages and the usual JDK ones
 * are imported on demand. What a block uses but does not declare (the verifier's nonce, a
 * sender) comes from the file's hidden context, an HTML comment the page does not show:
 * <pre>
 * &lt;!-- java-snippets
 * import java.security.PrivateKey;
 * byte[] nonce;
 * void send(byte[] token) {}
 * --&gt;
 * </pre>
 * Its {@code import} lines are added to the imports, the rest are members of the class every
 * block of that file is compiled in.
 */
class DocSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```", Pattern.DOTALL);
    private static final Pattern CONTEXT = Pattern.compile("<!-- java-snippets\\n(.*?)-->", Pattern.DOTALL);
    private static final Pattern TYPE = Pattern.compile(
            "(?m)^(?:(?:public|final|abstract|static)\\s+)*(?:class|record|interface|enum)\\s");
    private static final List<String> IMPORTS = List.of("dev.attest.core", "dev.attest.core.collectors",
            "dev.attest.evidence", "dev.attest.verify", "dev.attest.verify.ear", "dev.attest.verify.corim",
            "dev.attest.verify.psa", "dev.attest.tpm",
            "dev.attest.tpm.attest", "dev.attest.tpm.eventlog", "dev.attest.tpm.ima", "java.io", "java.nio.file",
            "java.time", "java.util", "java.util.concurrent");

    @TestFactory
    Stream<DynamicTest> everyJavaBlockInTheDocsCompiles() throws IOException {
        Path root = Vectors.repositoryRoot();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path page : pages) {
            String text = Files.readString(page);
            if (BLOCK.matcher(text).find()) {
                tests.add(DynamicTest.dynamicTest(root.relativize(page).toString(),
                        () -> assertEquals("", errors(page, text), "java blocks of " + page + " that do not compile")));
            }
        }
        assertTrue(tests.size() >= 2, "README.md and docs/*.md hold java blocks: " + tests.size());
        return tests.stream();
    }

    @org.junit.jupiter.api.Test
    void aBlockThatDoesNotCompileIsReportedWithItsPageLine() throws IOException {
        String page = "# Page\n\ntext\n\n```java\nbyte[] token = attester.evidence(nonce).token();\n"
                + "int n = token.size();\n```\n\n<!-- java-snippets\nAttester attester;\nbyte[] nonce;\n-->\n";
        String errors = errors(Path.of("broken.md"), page);
        assertTrue(errors.startsWith("broken.md:7: cannot find symbol"), errors);
        assertEquals("", errors(Path.of("fixed.md"), page.replace("token.size()", "token.length")));
    }

    /** The compile errors of the page's java blocks, one {@code file:line: message} per line. */
    private static String errors(Path page, String text) throws IOException {
        StringBuilder imports = new StringBuilder();
        StringBuilder members = new StringBuilder();
        Matcher ctx = CONTEXT.matcher(text);
        if (ctx.find()) {
            for (String line : ctx.group(1).split("\n")) {
                (line.startsWith("import ") ? imports : members).append(line).append('\n');
            }
        }
        // The generated source keeps each block's lines, so a diagnostic maps back to the page.
        List<int[]> lineMap = new ArrayList<>(); // {generated line, page line} at each block start
        StringBuilder src = new StringBuilder();
        IMPORTS.forEach(p -> src.append("import ").append(p).append(".*;\n"));
        src.append(imports);
        src.append("@SuppressWarnings(\"all\") class Snippets {\n").append(members).append('\n');
        Matcher m = BLOCK.matcher(text);
        int n = 0;
        while (m.find()) {
            String block = m.group(1);
            int pageLine = lineOf(text, m.start(1));
            boolean type = TYPE.matcher(block).find();
            src.append(type ? "// block " + n + "\n" : "void block" + n + "() throws Exception {\n");
            lineMap.add(new int[] {lineOf(src, src.length()), pageLine});
            src.append(block).append(type ? "\n" : "}\n");
            n++;
        }
        src.append("}\n");

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK (not a JRE) runs the tests");
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("doc-snippets");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diags, Locale.ROOT, null)) {
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///Snippets.java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return src;
                }
            };
            StringWriter javacOut = new StringWriter();
            boolean ok = javac.getTask(javacOut, files, diags, List.of("-classpath", classPath, "-d", out.toString(),
                    "-proc:none", "--release", "17"), null, List.of(source)).call();
            StringBuilder errors = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    errors.append(page.getFileName()).append(':').append(pageLine(lineMap, d.getLineNumber()))
                            .append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
                }
            }
            assertTrue(ok || errors.length() > 0, javacOut.toString());
            return errors.toString();
        } finally {
            try (Stream<Path> w = Files.walk(out)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long pageLine(List<int[]> lineMap, long generated) {
        long best = -1;
        for (int[] e : lineMap) {
            if (e[0] <= generated) {
                best = e[1] + (generated - e[0]);
            }
        }
        return best;
    }

    private static int lineOf(CharSequence s, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
