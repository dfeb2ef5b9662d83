package dev.attest.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Names a measured component (a file, a firmware image, a process mapping, a collector's
 * subject) and optionally its version, as EAT's measured-component format does.
 * Names are 1 to 4096 characters without control characters; versions 1 to 256.
 */
public final class ComponentId implements Comparable<ComponentId> {
    /** Longest accepted name: enough for a Linux path ({@code PATH_MAX}). */
    public static final int MAX_NAME_LENGTH = 4096;
    /** Longest accepted version string. */
    public static final int MAX_VERSION_LENGTH = 256;

    private final String name;
    private final String version;

    private ComponentId(String name, String version, boolean controlFree) {
        this.name = check(name, "name", MAX_NAME_LENGTH, controlFree);
        this.version = version == null ? null : check(version, "version", MAX_VERSION_LENGTH, controlFree);
    }

    /**
     * A component whose name and version (or null) the caller knows to hold no control
     * character: the canonical measurement decoder reads them as printable ASCII bytes, or takes
     * a version a component was already made with. Their lengths are still checked. Reached only
     * through {@code MeasurementAccess}.
     */
    static ComponentId ofControlFree(String name, String version) {
        return new ComponentId(name, version, true);
    }

    /**
     * A component without a version.
     *
     * @param name the component name
     * @return the component id
     */
    public static ComponentId of(String name) {
        return new ComponentId(name, null, false);
    }

    /**
     * A component with a version.
     *
     * @param name the component name
     * @param version the component version
     * @return the component id
     */
    public static ComponentId of(String name, String version) {
        return new ComponentId(name, Objects.requireNonNull(version, "version"), false);
    }

    private static String check(String s, String what, int max, boolean controlFree) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty() || s.length() > max) {
            throw new IllegalArgumentException("component " + what + " must be 1.." + max + " characters");
        }
        if (!controlFree) {
            for (int i = 0; i < s.length(); i++) {
                if (Character.isISOControl(s.charAt(i))) {
                    throw new IllegalArgumentException("component " + what + " contains a control character");
                }
            }
        }
        return s;
    }

    /**
     * The component name, e.g. a file path.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The component version, if known.
     *
     * @return the version, or empty if unknown
     */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    @Override
    public int compareTo(ComponentId o) {
        int c = name.compareTo(o.name);
        if (c != 0) {
            return c;
        }
        if (version == null || o.version == null) {
            return version == null ? (o.version == null ? 0 : -1) : 1;
        }
        return version.compareTo(o.version);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComponentId c && name.equals(c.name) && Objects.equals(version, c.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version);
    }

    @Override
    public String toString() {
        return version == null ? name : name + "@" + version;
    }
}
