package example;

import com.sun.net.httpserver.HttpServer;
import io.selfheal.camel.Selfheal;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a project that depends on io.selfheal:selfheal gets: self-healing routes, and none of the runnable jar's extras. */
class LibraryUserTest {
    private HttpServer upstream;
    private final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void flakyUpstream() throws Exception {
        // answers 503 to the first call and 200 after: one retry heals it
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/reserve", exchange -> {
            byte[] body = "reserved".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 503 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
    }

    @AfterEach
    void stopUpstream() {
        upstream.stop(0);
    }

    @Test
    void theRunnableJarsExtrasAreNotForcedOnTheApplication() {
        assertAbsent("org.apache.logging.log4j.core.LoggerContext", "log4j-core (the jar's logging backend)");
        assertAbsent("org.apache.logging.slf4j.Log4jLoggerFactory", "log4j-slf4j2-impl (the jar's SLF4J binding)");
        assertAbsent("org.postgresql.Driver", "the PostgreSQL driver");
        assertAbsent("org.mariadb.jdbc.Driver", "the MariaDB driver");
        assertAbsent("io.selfheal.demo.FlakyUpstream", "the demo");
        assertNull(getClass().getClassLoader().getResource("log4j2.properties"), "a log4j2.properties on the classpath");
        assertNull(getClass().getClassLoader().getResource("demo/orders.csv"), "the demo's data");
        // the embedded default stores need H2
        assertNotNull(load("org.h2.Driver"), "H2 comes at runtime scope");
    }

    @Test
    void aJavaDslRouteInAPlainCamelContextHeals() throws Exception {
        CamelContext ctx = new DefaultCamelContext();
        ctx.getPropertiesComponent().setOverrideProperties(inMemoryStores());
        Selfheal.install(ctx);
        ctx.addRoutes(orders());
        ctx.start();
        try {
            assertHeals(ctx);
        } finally {
            ctx.stop();
        }
    }

    @Test
    void aJavaDslRouteInCamelMainHeals() throws Exception {
        Main main = new Main();
        main.setOverrideProperties(inMemoryStores());
        main.configure().addRoutesBuilder(orders());
        Selfheal.install(main);
        main.start();
        try {
            assertHeals(main.getCamelContext());
        } finally {
            main.stop();
        }
    }

    @Test
    void aDatabaseWhoseDriverIsMissingStopsInstallNamingTheKeyAndTheArtifact() {
        CamelContext ctx = new DefaultCamelContext();
        Properties p = inMemoryStores();
        p.put("selfheal.parked.url", "jdbc:postgresql://127.0.0.1:5432/test");
        ctx.getPropertiesComponent().setOverrideProperties(p);
        Exception e = assertThrows(Exception.class, () -> Selfheal.install(ctx));
        assertTrue(e.getMessage().contains("selfheal.parked.url"), e.getMessage());
        assertTrue(e.getMessage().contains("org.postgresql:postgresql"), e.getMessage());
    }

    private void assertHeals(CamelContext ctx) {
        Exchange done = ctx.createProducerTemplate().send("direct:orders", e -> e.getMessage().setBody("{\"id\":1}"));
        assertNull(done.getException());
        assertEquals("reserved", done.getMessage().getBody(String.class));
        assertEquals(2, done.getProperty("SelfhealAttempts", Integer.class));
        assertEquals(2, calls.get());
    }

    private RouteBuilder orders() {
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/reserve?httpMethod=POST";
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:orders").routeConfigurationId("self-healing").to(url);
            }
        };
    }

    private static Properties inMemoryStores() {
        String unique = UUID.randomUUID().toString();
        Properties p = new Properties();
        p.put("selfheal.parked.url", "jdbc:h2:mem:parked-" + unique + ";DB_CLOSE_DELAY=-1");
        p.put("selfheal.idempotency.url", "jdbc:h2:mem:keys-" + unique + ";DB_CLOSE_DELAY=-1");
        p.put("selfheal.defaults.initial-delay", "20ms");
        return p;
    }

    private static void assertAbsent(String className, String what) {
        assertNull(load(className), what + " is on a library user's classpath");
    }

    private static Class<?> load(String className) {
        try {
            return Class.forName(className);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
