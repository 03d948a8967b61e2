package io.github.partitionmaven.execute;

import java.util.Map;
import java.util.regex.Pattern;

/** Where and as whom to connect. {@link #toString()} and {@link #redact(String)} never show the password. */
public record ConnectionSettings(String url, String user, String password, Map<String, String> properties) {

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    public ConnectionSettings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** The URL with any password parameter masked. */
    public String safeUrl() {
        return url == null ? null : URL_PASSWORD.matcher(url).replaceAll("$1****");
    }

    /** Removes the password, wherever it appears, from a text about to be logged or thrown. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        if (url != null) {
            out = out.replace(url, safeUrl());
        }
        if (password != null && password.length() >= 3) {
            out = out.replace(password, "****");
        }
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey().toLowerCase(java.util.Locale.ROOT).contains("password") && e.getValue() != null && e.getValue().length() >= 3) {
                out = out.replace(e.getValue(), "****");
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ConnectionSettings[url=" + safeUrl() + ", user=" + user + "]";
    }
}
