package io.github.partitionmaven.catalog;

/** The server the plugin talks to. */
public record ServerInfo(int versionNum, String version) {

    public static final int MIN_VERSION_NUM = 140000;

    public int major() {
        return versionNum / 10000;
    }
}
