package io.github.partitionmaven.execute;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and as whom to connect. {@link #toString()}, {@link #safeUrl()} and {@link #redact(String)} never show a secret,
 * in any of the places one can be given: {@code <password>}, the URL's user-info ({@code //user:secret@host}), a
 * {@code password=} URL parameter in any case, and any {@code jdbcProperties} entry whose key holds "password" (sslpassword).
 */
public record ConnectionSettings(String url, String user, String password, Map<String, String> properties) {

    /** A URL parameter whose name holds "password" (password=, PASSWORD=, sslpassword=), up to the next separator. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;][a-z]*password=)([^&;]*)");
    /** The password of a user-info part: {@code //user:secret@}; user names and passwords cannot hold '/' unencoded. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]*:)([^/@]*)(@)");
    private static final String MASK = "****";

    public ConnectionSettings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** The URL with every password in it masked. */
    public String safeUrl() {
        if (url == null) {
            return null;
        }
        String out = USER_INFO.matcher(url).replaceAll("$1" + MASK + "$3");
        return URL_PASSWORD.matcher(out).replaceAll("$1" + MASK);
    }

    /** Removes every secret, wherever it appears, from a text about to be logged, written or thrown. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        if (url != null) {
            out = out.replace(url, safeUrl());
        }
        for (String secret : secrets()) {
            out = out.replace(secret, MASK);
        }
        return out;
    }

    /**
     * A copy of an exception chain with every message redacted and the stack traces kept, for Maven's {@code -e}: the
     * driver's own messages may quote the URL or a parameter.
     */
    public Throwable redact(Throwable t) {
        if (t == null) {
            return null;
        }
        Redacted copy = new Redacted(t.getClass().getName() + (t.getMessage() == null ? "" : ": " + redact(t.getMessage())),
                t.getCause() == null || t.getCause() == t ? null : redact(t.getCause()));
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    /** Every secret value, raw and percent-decoded; shorter than 3 characters they would mask ordinary text. */
    private Set<String> secrets() {
        Set<String> out = new LinkedHashSet<>();
        add(out, password);
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).contains("password")) {
                add(out, e.getValue());
            }
        }
        if (url != null) {
            for (Pattern p : new Pattern[] {URL_PASSWORD, USER_INFO}) {
                Matcher m = p.matcher(url);
                while (m.find()) {
                    add(out, m.group(2));
                }
            }
        }
        return out;
    }

    private static void add(Set<String> out, String secret) {
        if (secret != null && secret.length() >= 3) {
            out.add(secret);
            try {
                out.add(URLDecoder.decode(secret, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException notEncoded) {
                // a '%' not followed by hex: the raw value is the secret
            }
        }
    }

    @Override
    public String toString() {
        return "ConnectionSettings[url=" + safeUrl() + ", user=" + user + "]";
    }

    /** An exception of the chain, its message redacted; its text names the class it stands for. */
    private static final class Redacted extends Exception {
        Redacted(String message, Throwable cause) {
            super(message, cause, false, true);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
