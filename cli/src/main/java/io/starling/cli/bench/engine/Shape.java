package io.starling.cli.bench.engine;

/** How publishers and subscribers of {@code bench pubsub} are connected by topics. */
public enum Shape {
    /** N publishers on topics {@code bench/<run>/<i>}, one subscriber of {@code bench/<run>/+}. */
    FAN_IN("fan-in", 8, 1),
    /** One publisher on {@code bench/<run>/0}, M subscribers of that topic. */
    FAN_OUT("fan-out", 1, 50),
    /** N publisher and subscriber pairs, pair i on topic {@code bench/<run>/<i>}. */
    PAIRS("pairs", 100, 100);

    private final String label;
    private final int defaultPublishers;
    private final int defaultSubscribers;

    Shape(String label, int defaultPublishers, int defaultSubscribers) {
        this.label = label;
        this.defaultPublishers = defaultPublishers;
        this.defaultSubscribers = defaultSubscribers;
    }

    /** The name on the command line: fan-in, fan-out, pairs. */
    public String label() {
        return label;
    }

    public int defaultPublishers() {
        return defaultPublishers;
    }

    public int defaultSubscribers() {
        return defaultSubscribers;
    }

    /** The shape a command-line name stands for. */
    public static Shape of(String label) {
        for (Shape shape : values()) {
            if (shape.label.equalsIgnoreCase(label) || shape.name().equalsIgnoreCase(label)) {
                return shape;
            }
        }
        throw new IllegalArgumentException("the shape is fan-in, fan-out or pairs, not '" + label + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
