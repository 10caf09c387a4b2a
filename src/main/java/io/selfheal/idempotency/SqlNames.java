package io.selfheal.idempotency;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Table and column names that Selfheal writes into SQL text. They come from configuration, template parameters and,
 * for the sink, from the keys of a message's Map body: only plain identifiers pass, so nothing a message carries can
 * change the statement. Names are used unquoted, so each database applies its usual case rules.
 */
public final class SqlNames {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private SqlNames() {
    }

    /** A column name, or a table name optionally qualified by one schema name ({@code schema.table}). */
    public static boolean isValid(String name) {
        if (name == null) {
            return false;
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length > 2) {
            return false;
        }
        for (String p : parts) {
            if (!IDENTIFIER.matcher(p).matches()) {
                return false;
            }
        }
        return true;
    }

    public static boolean isColumn(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    /** "a, b ,c" → [a, b, c]; every name checked; {@code what} names the parameter in the error. */
    public static List<String> columnList(String what, String commaSeparated) {
        List<String> out = new ArrayList<>();
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return out;
        }
        for (String raw : commaSeparated.split(",")) {
            String c = raw.trim();
            if (!isColumn(c)) {
                throw new IllegalArgumentException("Invalid column name '" + c + "' in " + what
                        + ": letters, digits and underscores, starting with a letter or underscore");
            }
            if (out.stream().anyMatch(c::equalsIgnoreCase)) {
                throw new IllegalArgumentException("Column '" + c + "' is listed twice in " + what);
            }
            out.add(c);
        }
        return out;
    }
}
