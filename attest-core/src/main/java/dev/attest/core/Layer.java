package dev.attest.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The layer of the device stack a measurement belongs to; each layer becomes one EAT submodule.
 * The constants are the layers the SDK's collectors use; users may add their own with
 * {@link #of(String)}. A layer name is 1 to 63 characters of {@code [a-z0-9_-]}, starting with
 * a letter.
 *
 * @param name the layer's name, also the EAT submodule name
 */
public record Layer(String name) implements Comparable<Layer> {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    /** Bootloaders (shim, GRUB, U-Boot). */
    public static final Layer BOOTLOADER = new Layer("bootloader");
    /** Firmware images and the boot event log. */
    public static final Layer FIRMWARE = new Layer("firmware");
    /** The kernel and its modules. */
    public static final Layer KERNEL = new Layer("kernel");
    /** Operating system files and the IMA list. */
    public static final Layer OS = new Layer("os");
    /** Application files. */
    public static final Layer APPLICATION = new Layer("application");
    /** A running process: its code in memory against its files. */
    public static final Layer PROCESS = new Layer("process");
    /** Memory protection state (W^X). */
    public static final Layer MEMORY = new Layer("memory");
    /** Timing statistics of the device. */
    public static final Layer TIMING = new Layer("timing");
    /** TPM quotes and state. */
    public static final Layer TPM = new Layer("tpm");
    /** Configuration files and settings. */
    public static final Layer CONFIGURATION = new Layer("configuration");

    /**
     * @param name the layer's name
     * @throws IllegalArgumentException if the name does not match {@code [a-z][a-z0-9_-]{0,62}}
     */
    public Layer {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("layer name must match " + NAME + ": " + name);
        }
    }

    /**
     * A layer by name: a built-in one or a user-defined one.
     *
     * @param name the layer's name
     * @return the built-in layer of that name, or a new one
     */
    public static Layer of(String name) {
        Layer known = KNOWN.get(name);
        return known != null ? known : new Layer(name);
    }

    private static final java.util.Map<String, Layer> KNOWN = java.util.stream.Stream.of(BOOTLOADER, FIRMWARE,
            KERNEL, OS, APPLICATION, PROCESS, MEMORY, TIMING, TPM, CONFIGURATION)
            .collect(java.util.stream.Collectors.toUnmodifiableMap(Layer::name, l -> l));

    @Override
    public int compareTo(Layer o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
