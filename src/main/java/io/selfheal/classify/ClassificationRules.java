package io.selfheal.classify;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One tier of classification rules: HTTP status, SQLSTATE (exact code or class prefix), vendor error code and
 * exception class name. Immutable. A classifier consults the user's tier (configuration and code) before the built-in
 * one, so a user rule always wins over a default.
 */
public final class ClassificationRules {
    private final Map<Integer, FailureClass> httpStatus;
    private final Map<String, FailureClass> sqlState;
    private final Map<Integer, FailureClass> vendorCode;
    private final Map<String, FailureClass> exceptionClass;

    private ClassificationRules(Builder b) {
        this.httpStatus = Collections.unmodifiableMap(new LinkedHashMap<>(b.httpStatus));
        this.sqlState = Collections.unmodifiableMap(new LinkedHashMap<>(b.sqlState));
        this.vendorCode = Collections.unmodifiableMap(new LinkedHashMap<>(b.vendorCode));
        this.exceptionClass = Collections.unmodifiableMap(new LinkedHashMap<>(b.exceptionClass));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ClassificationRules empty() {
        return builder().build();
    }

    /** The built-in tier ({@link BuiltInRules}); a rule of the user's for the same status, code or class wins. */
    public static ClassificationRules builtIn() {
        return BuiltInRules.RULES;
    }

    public Optional<FailureClass> forHttpStatus(int status) {
        return Optional.ofNullable(httpStatus.get(status));
    }

    /** The exact code first, then the longest configured prefix ("40P01", then "40P", "40", "4"). */
    public Optional<FailureClass> forSqlStateExact(String state) {
        if (state == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(sqlState.get(state.toUpperCase(Locale.ROOT)));
    }

    public Optional<FailureClass> forSqlStatePrefix(String state) {
        if (state == null) {
            return Optional.empty();
        }
        String s = state.toUpperCase(Locale.ROOT);
        for (int len = s.length() - 1; len >= 1; len--) {
            FailureClass c = sqlState.get(s.substring(0, len));
            if (c != null) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public Optional<FailureClass> forVendorCode(int code) {
        return code == 0 ? Optional.empty() : Optional.ofNullable(vendorCode.get(code));
    }

    /** The nearest rule for the exception's class: its own name, then its superclasses and their interfaces. */
    public Optional<ExceptionMatch> forException(Throwable t) {
        int distance = 0;
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass(), distance++) {
            FailureClass fc = exceptionClass.get(c.getName());
            if (fc != null) {
                return Optional.of(new ExceptionMatch(fc, c.getName(), distance));
            }
            for (Class<?> i : c.getInterfaces()) {
                fc = exceptionClass.get(i.getName());
                if (fc != null) {
                    return Optional.of(new ExceptionMatch(fc, i.getName(), distance));
                }
            }
        }
        return Optional.empty();
    }

    public Map<Integer, FailureClass> httpStatusRules() {
        return httpStatus;
    }

    public Map<String, FailureClass> sqlStateRules() {
        return sqlState;
    }

    public Map<Integer, FailureClass> vendorCodeRules() {
        return vendorCode;
    }

    public Map<String, FailureClass> exceptionRules() {
        return exceptionClass;
    }

    /** A rule that matched an exception: which class name, and how many superclass steps away (0 = exact). */
    public record ExceptionMatch(FailureClass failureClass, String ruleClassName, int distance) {
    }

    public static final class Builder {
        private final Map<Integer, FailureClass> httpStatus = new LinkedHashMap<>();
        private final Map<String, FailureClass> sqlState = new LinkedHashMap<>();
        private final Map<Integer, FailureClass> vendorCode = new LinkedHashMap<>();
        private final Map<String, FailureClass> exceptionClass = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder http(int status, FailureClass c) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("HTTP status must be between 100 and 599: " + status);
            }
            httpStatus.put(status, c);
            return this;
        }

        /** An exact 5-character SQLSTATE ("40P01") or a class prefix ("23"). */
        public Builder sqlState(String codeOrPrefix, FailureClass c) {
            String s = codeOrPrefix == null ? "" : codeOrPrefix.trim().toUpperCase(Locale.ROOT);
            if (!s.matches("[0-9A-Z]{1,5}")) {
                throw new IllegalArgumentException("SQLSTATE must be 1 to 5 letters or digits: " + codeOrPrefix);
            }
            sqlState.put(s, c);
            return this;
        }

        public Builder vendorCode(int code, FailureClass c) {
            vendorCode.put(code, c);
            return this;
        }

        /** A fully qualified exception class name; it matches subclasses too, the nearest rule winning. */
        public Builder exception(String className, FailureClass c) {
            if (className == null || !className.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
                throw new IllegalArgumentException("Not a fully qualified class name: " + className);
            }
            exceptionClass.put(className, c);
            return this;
        }

        public Builder exception(Class<? extends Throwable> type, FailureClass c) {
            return exception(type.getName(), c);
        }

        public Builder addAll(ClassificationRules other) {
            httpStatus.putAll(other.httpStatus);
            sqlState.putAll(other.sqlState);
            vendorCode.putAll(other.vendorCode);
            exceptionClass.putAll(other.exceptionClass);
            return this;
        }

        public ClassificationRules build() {
            return new ClassificationRules(this);
        }
    }
}
