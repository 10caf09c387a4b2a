package io.selfheal.docs;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every YAML and Java snippet of README.md and docs/ runs: a snippet that stops working fails the build. Each is taken
 * from its fenced block as written, its remote hosts pointed at a local WireMock and its {@code file:} folders at a
 * temporary directory, and then:
 * <ul>
 *   <li>YAML routes (a list of {@code route}, {@code beans}, {@code routeConfiguration} ...) are loaded into a context
 *       with Selfheal installed, which must start with every route started; a whole Kamelet or Prometheus rule
 *       file must parse; a fragment fails;</li>
 *   <li>Java is compiled against the test classpath, as the reader would write it: a whole class as it stands (a
 *       RouteBuilder's routes are added to a context with Selfheal installed; a static method returning a
 *       CamelContext is called, one taking a CamelContext is given one; a camel-main {@code main} runs for a
 *       second), a route builder's body inside
 *       {@code configure()}, and statements inside a method given {@code context}, a Selfheal context.</li>
 * </ul>
 */
class DocSnippetsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```(yaml|java)\\s*\\n(.*?)^```\\s*$");
    /** A remote host in a URL (not loopback): the snippet's upstream, served by WireMock here. */
    private static final Pattern REMOTE_URL = Pattern.compile("https?://(?!127\\.0\\.0\\.1|localhost)[A-Za-z0-9.-]+(:\\d+)?");
    private static final Pattern FILE_URI = Pattern.compile("\"file:(?!/)([^\"?]*)");
    /** What a reader's snippet may use without writing imports (the docs show none to stay short). */
    private static final String IMPORTS = """
            import org.apache.camel.*;
            import org.apache.camel.builder.*;
            import org.apache.camel.model.*;
            import org.apache.camel.main.Main;
            import io.selfheal.camel.*;
            import io.selfheal.camel.breaker.UpstreamDependencyPolicy;
            import io.selfheal.breaker.BreakerRegistry;
            import io.selfheal.classify.ClassificationRules;
            import io.selfheal.classify.FailureClass;
            """;

    @RegisterExtension
    @Order(1)
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    @RegisterExtension
    @Order(2)
    static WireMockExtension upstream = TestContexts.localWireMock();

    @TempDir
    static Path work;

    record Snippet(Path doc, int line, String language, String text) {
        String where() {
            return ROOT.relativize(doc) + ":" + line;
        }
    }

    @TestFactory
    Stream<DynamicTest> everySnippetRuns() {
        List<Snippet> snippets = snippets();
        assertThat(snippets).as("snippets found in README.md and docs/").hasSizeGreaterThan(5);
        return snippets.stream().map(s -> DynamicTest.dynamicTest(s.where() + " (" + s.language() + ")", () -> {
            upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
            String local = local(s.text());
            if (s.language().equals("yaml")) {
                runYaml(s, local);
            } else {
                runJava(s, local);
            }
        }));
    }

    static List<Snippet> snippets() {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Snippet> out = new ArrayList<>();
        for (Path doc : docs) {
            String text = read(doc);
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                int line = (int) text.substring(0, m.start()).lines().count() + 1;
                out.add(new Snippet(doc, line, m.group(1), m.group(2)));
            }
        }
        return out;
    }

    /** The snippet against local peers: its upstreams on WireMock, its folders under a temporary directory. */
    private static String local(String text) {
        String s = REMOTE_URL.matcher(text).replaceAll("http://127.0.0.1:" + upstream.getPort());
        return FILE_URI.matcher(s).replaceAll(Matcher.quoteReplacement("\"file:" + work.toString().replace('\\', '/') + "/") + "$1");
    }

    private void runYaml(Snippet s, String yaml) throws Exception {
        Object parsed = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        if (isOtherDocument(parsed)) {
            return; // a Kamelet or a Prometheus rule file: it parsed, which is all it claims here
        }
        assertThat(isCamelRoutes(parsed)).as(s.where() + ": a YAML snippet is a whole routes file (route, beans,"
                + " routeConfiguration, ...) or a whole Kamelet or rule file, not a fragment:\n" + yaml).isTrue();
        CamelContext ctx = contexts.create(TestContexts.SCALED);
        PluginHelper.getRoutesLoader(ctx).loadRoutes(ResourceHelper.fromString("snippet.yaml", yaml));
        ctx.start();
        assertStarted(s, ctx);
    }

    private static boolean isOtherDocument(Object parsed) {
        return parsed instanceof Map<?, ?> m && ("Kamelet".equals(m.get("kind")) || m.containsKey("groups"));
    }

    private static boolean isCamelRoutes(Object parsed) {
        if (!(parsed instanceof List<?> list) || list.isEmpty()) {
            return false;
        }
        return list.stream().allMatch(item -> item instanceof Map<?, ?> m && m.keySet().stream().allMatch(k ->
                List.of("route", "beans", "routeConfiguration", "from", "rest", "routeTemplate", "templatedRoute",
                        "errorHandler").contains(String.valueOf(k))));
    }

    private void runJava(Snippet s, String code) throws Exception {
        boolean wholeClass = Pattern.compile("(?m)^(public\\s+)?class\\s+\\w+").matcher(code).find();
        boolean routeBody = !wholeClass && Pattern.compile("^\\s*(from|routeTemplate|rest|interceptFrom)\\(").matcher(code).find();
        String className = wholeClass ? firstClassName(code) : "Snippet";
        String source;
        if (wholeClass) {
            source = (code.contains("import ") ? "" : IMPORTS) + code;
        } else if (routeBody) {
            source = IMPORTS + "public class Snippet extends RouteBuilder {\n"
                    + "    @Override public void configure() throws Exception {\n" + code + "\n    }\n}\n";
        } else {
            source = IMPORTS + "public class Snippet {\n"
                    + "    public static void run(CamelContext context) throws Exception {\n" + code + "\n    }\n}\n";
        }
        try (URLClassLoader loader = compile(s, className, source)) {
            Class<?> type = loader.loadClass(className);
            if (!wholeClass && !routeBody) {
                CamelContext ctx = contexts.create(TestContexts.SCALED);
                type.getMethod("run", CamelContext.class).invoke(null, ctx);
                ctx.start();
                assertStarted(s, ctx);
            } else if (RoutesBuilder.class.isAssignableFrom(type) || RouteBuilder.class.isAssignableFrom(type)
                    || org.apache.camel.builder.RouteConfigurationBuilder.class.isAssignableFrom(type)) {
                CamelContext ctx = contexts.create(TestContexts.SCALED);
                ctx.addRoutes((RoutesBuilder) type.getDeclaredConstructor().newInstance());
                ctx.start();
                assertStarted(s, ctx);
            } else {
                runProgram(s, type);
            }
        }
    }

    /**
     * A program of the reader's own: a static method that returns a started context, one that prepares a given
     * context, or a camel-main main.
     */
    private void runProgram(Snippet s, Class<?> type) throws Exception {
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                    && CamelContext.class.isAssignableFrom(m.getReturnType())) {
                CamelContext ctx = withPrivateStores(() -> (CamelContext) m.invoke(null));
                try {
                    assertStarted(s, ctx);
                } finally {
                    ctx.stop();
                }
                return;
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1
                    && m.getParameterTypes()[0] == CamelContext.class) {
                // something that prepares a context: given one not started, which must then start
                CamelContext ctx = contexts.create(TestContexts.SCALED);
                m.invoke(null, ctx);
                ctx.start();
                assertStarted(s, ctx);
                return;
            }
        }
        Method main = type.getMethod("main", String[].class);
        // camel-main's own option: run for a second, then stop as a job would
        withPrivateStores(() -> main.invoke(null, (Object) new String[] {"-duration", "1s"}));
    }

    interface Call<T> {
        T call() throws Exception;
    }

    /** A reader's program reads selfheal.* from -D: give it private in-memory stores, nothing under ./data. */
    private static <T> T withPrivateStores(Call<T> call) throws Exception {
        String unique = java.util.UUID.randomUUID().toString();
        Map<String, String> props = Map.of(
                "selfheal.parked.url", "jdbc:h2:mem:parked-" + unique + ";DB_CLOSE_DELAY=-1",
                "selfheal.idempotency.url", "jdbc:h2:mem:keys-" + unique + ";DB_CLOSE_DELAY=-1");
        props.forEach(System::setProperty);
        try {
            return call.call();
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    private static void assertStarted(Snippet s, CamelContext ctx) {
        assertThat(ctx.getStatus()).as(s.where()).isEqualTo(ServiceStatus.Started);
        ctx.getRoutes().forEach(r -> assertThat(ctx.getRouteController().getRouteStatus(r.getRouteId()))
                .as(s.where() + " route " + r.getRouteId()).isEqualTo(ServiceStatus.Started));
    }

    private static String firstClassName(String code) {
        Matcher m = Pattern.compile("(?m)^(?:public\\s+)?class\\s+(\\w+)").matcher(code);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static URLClassLoader compile(Snippet s, String className, String source) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path out = Files.createTempDirectory(work, "classes");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-classpath", classpath, "-d", out.toString(), "-proc:none", "-nowarn"),
                    null, List.of(unit)).call();
            assertThat(ok).as(s.where() + " does not compile:\n" + diagnostics.getDiagnostics() + "\n" + source).isTrue();
        }
        return new URLClassLoader(new java.net.URL[] {out.toUri().toURL()}, DocSnippetsTest.class.getClassLoader());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
