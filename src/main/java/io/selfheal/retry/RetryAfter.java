package io.selfheal.retry;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads an HTTP Retry-After value (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. An HTTP-date is read against
 * the response's own Date header when there is one, so clock skew between us and the server does not shorten the
 * wait; otherwise against our clock. Never throws: anything it cannot read gives {@link Optional#empty()}, and the
 * caller falls back to its backoff.
 */
public final class RetryAfter {
    /** Longer inputs are not a valid header value: refuse before parsing (a fuzzing guard). */
    static final int MAX_LENGTH = 64;
    /** More digits than this cannot be a meant wait (10^12 s is 31,000 years): treated as garbage. */
    static final int MAX_DIGITS = 12;

    /** IMF-fixdate and the two obsolete forms recipients must accept (RFC 9110 §5.6.7). */
    private static final DateTimeFormatter RFC_850 =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.ENGLISH);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

    private RetryAfter() {
    }

    /**
     * The wait the server asked for, from {@code now}.
     *
     * @param value        the Retry-After header value, may be null
     * @param responseDate the response's Date header value, may be null
     * @param now          when the response was read
     * @return the wait (zero for a date in the past), or empty when the value cannot be read
     */
    public static Optional<Duration> parse(String value, String responseDate, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.isEmpty() || v.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        if (isDigits(v)) {
            if (v.length() > MAX_DIGITS) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        Optional<Instant> at = httpDate(v);
        if (at.isEmpty()) {
            return Optional.empty();
        }
        Instant reference = httpDate(responseDate == null ? null : responseDate.trim()).orElse(now);
        Duration wait = Duration.between(reference, at.get());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    /** Parses an HTTP-date in any of its three forms. */
    public static Optional<Instant> httpDate(String v) {
        if (v == null || v.isEmpty() || v.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException | ArithmeticException e) {
            // try the obsolete forms
        }
        try {
            ZonedDateTime t = ZonedDateTime.parse(v, RFC_850.withZone(ZoneOffset.UTC));
            // two-digit years: RFC 9110 says a date more than 50 years ahead is in the past century
            if (t.getYear() > ZonedDateTime.now(ZoneOffset.UTC).getYear() + 50) {
                t = t.minusYears(100);
            }
            return Optional.of(t.toInstant());
        } catch (DateTimeParseException | ArithmeticException e) {
            // try asctime
        }
        try {
            return Optional.of(LocalDateTime.parse(v, ASCTIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
