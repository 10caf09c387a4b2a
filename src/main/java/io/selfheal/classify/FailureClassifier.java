package io.selfheal.classify;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Classifies a failure by walking its cause chain, in this order of authority:
 * <ol>
 *   <li>the user's exception-class rules (configuration or code), outermost match first;</li>
 *   <li>an HTTP response anywhere in the chain: the user's status rule, else any Retry-After makes it RECOVERABLE,
 *       else the built-in status rule, else its family (5xx TRANSIENT, others PERMANENT);</li>
 *   <li>a SQLException anywhere in the chain or its next-exception list: exact SQLSTATE, vendor code, SQLSTATE class,
 *       the user's rules before the built-in ones;</li>
 *   <li>the built-in exception-class rules: the nearest match over the whole chain (a CertificateException inside an
 *       SSLHandshakeException decides over the handshake's IOException ancestry); on a tie the deeper cause wins;</li>
 *   <li>the configured default (PERMANENT: an unknown exception from the route's own code is not transient).</li>
 * </ol>
 * Immutable and thread-safe.
 */
public final class FailureClassifier {
    /** Guard against pathological cause chains. */
    static final int MAX_CHAIN = 32;

    private final ClassificationRules user;
    private final ClassificationRules builtIn;
    private final FailureClass defaultClass;
    private final Function<Throwable, Optional<HttpFailure>> httpExtractor;

    public FailureClassifier(ClassificationRules user, ClassificationRules builtIn, FailureClass defaultClass,
                             Function<Throwable, Optional<HttpFailure>> httpExtractor) {
        this.user = Objects.requireNonNull(user);
        this.builtIn = Objects.requireNonNull(builtIn);
        this.defaultClass = Objects.requireNonNull(defaultClass);
        this.httpExtractor = Objects.requireNonNull(httpExtractor);
    }

    /** Built-in rules, default PERMANENT, and no HTTP extraction (plain Java callers). */
    public static FailureClassifier defaults() {
        return new FailureClassifier(ClassificationRules.empty(), ClassificationRules.builtIn(), FailureClass.PERMANENT,
                t -> Optional.empty());
    }

    public FailureClassifier withHttpExtractor(Function<Throwable, Optional<HttpFailure>> extractor) {
        return new FailureClassifier(user, builtIn, defaultClass, extractor);
    }

    /** A classifier whose user tier also holds {@code extra} (added in code; extra wins over configuration). */
    public FailureClassifier withUserRules(ClassificationRules extra) {
        ClassificationRules merged = ClassificationRules.builder().addAll(user).addAll(extra).build();
        return new FailureClassifier(merged, builtIn, defaultClass, httpExtractor);
    }

    public ClassificationRules userRules() {
        return user;
    }

    public FailureClass defaultClass() {
        return defaultClass;
    }

    public Classification classify(Throwable failure) {
        if (failure == null) {
            return new Classification(defaultClass, "default", "unknown failure", Optional.empty(), null);
        }
        List<Throwable> chain = chain(failure);

        for (Throwable t : chain) {
            Optional<ClassificationRules.ExceptionMatch> m = user.forException(t);
            if (m.isPresent()) {
                return new Classification(m.get().failureClass(), "configured exception " + m.get().ruleClassName(),
                        shortName(t), httpOf(chain), t);
            }
        }

        for (Throwable t : chain) {
            Optional<HttpFailure> http = safeHttp(t);
            if (http.isPresent()) {
                return classifyHttp(http.get(), t);
            }
        }

        for (Throwable t : chain) {
            if (t instanceof SQLException sql) {
                Optional<Classification> c = classifySql(sql);
                if (c.isPresent()) {
                    return c.get();
                }
            }
        }

        ClassificationRules.ExceptionMatch best = null;
        Throwable bestCause = null;
        for (Throwable t : chain) {
            Optional<ClassificationRules.ExceptionMatch> m = builtIn.forException(t);
            if (m.isPresent() && (best == null || m.get().distance() <= best.distance())) {
                best = m.get();
                bestCause = t;
            }
        }
        if (best != null) {
            return new Classification(best.failureClass(), "exception " + best.ruleClassName(), shortName(bestCause),
                    Optional.empty(), bestCause);
        }
        Throwable root = chain.get(chain.size() - 1);
        return new Classification(defaultClass, "default", shortName(root), Optional.empty(), root);
    }

    private Classification classifyHttp(HttpFailure http, Throwable cause) {
        String outcome = "HTTP " + http.status();
        Optional<HttpFailure> h = Optional.of(http);
        Optional<FailureClass> configured = user.forHttpStatus(http.status());
        if (configured.isPresent()) {
            return new Classification(configured.get(), "configured HTTP " + http.status(), outcome, h, cause);
        }
        if (http.retryAfter().isPresent()) {
            return new Classification(FailureClass.RECOVERABLE, "HTTP " + http.status() + " with Retry-After", outcome, h, cause);
        }
        Optional<FailureClass> builtInClass = builtIn.forHttpStatus(http.status());
        if (builtInClass.isPresent()) {
            return new Classification(builtInClass.get(), "HTTP " + http.status(), outcome, h, cause);
        }
        FailureClass family = http.status() >= 500 && http.status() <= 599 ? FailureClass.TRANSIENT : FailureClass.PERMANENT;
        return new Classification(family, "HTTP " + (http.status() / 100) + "xx", outcome, h, cause);
    }

    private Optional<Classification> classifySql(SQLException top) {
        List<SQLException> all = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SQLException s = top; s != null && all.size() < MAX_CHAIN && seen.add(s); s = s.getNextException()) {
            all.add(s);
        }
        for (ClassificationRules tier : List.of(user, builtIn)) {
            String prefix = tier == user ? "configured " : "";
            for (SQLException s : all) {
                String state = s.getSQLState();
                Optional<FailureClass> c = tier.forSqlStateExact(state);
                if (c.isPresent()) {
                    return Optional.of(new Classification(c.get(), prefix + "SQLSTATE " + state, "SQLSTATE " + state,
                            Optional.empty(), s));
                }
                c = tier.forVendorCode(s.getErrorCode());
                if (c.isPresent()) {
                    return Optional.of(new Classification(c.get(), prefix + "vendor code " + s.getErrorCode(),
                            "error " + s.getErrorCode() + (state == null ? "" : " (SQLSTATE " + state + ")"),
                            Optional.empty(), s));
                }
                c = tier.forSqlStatePrefix(state);
                if (c.isPresent()) {
                    return Optional.of(new Classification(c.get(), prefix + "SQLSTATE class " + state.substring(0, 2),
                            "SQLSTATE " + state, Optional.empty(), s));
                }
            }
        }
        return Optional.empty();
    }

    private Optional<HttpFailure> httpOf(List<Throwable> chain) {
        for (Throwable t : chain) {
            Optional<HttpFailure> h = safeHttp(t);
            if (h.isPresent()) {
                return h;
            }
        }
        return Optional.empty();
    }

    private Optional<HttpFailure> safeHttp(Throwable t) {
        try {
            Optional<HttpFailure> h = httpExtractor.apply(t);
            return h == null ? Optional.empty() : h;
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && chain.size() < MAX_CHAIN && seen.add(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static String shortName(Throwable t) {
        return t == null ? "unknown" : t.getClass().getSimpleName();
    }
}
