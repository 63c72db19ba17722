package io.starling.cli.bench.command;

import io.starling.cli.bench.engine.BrokerAddress;
import io.starling.cli.bench.engine.Shape;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converters for the bench's option values: durations, protocol versions, QoS, shapes, broker addresses. */
final class OptionConverters {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private OptionConverters() {
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration (examples: 500ms, 10s, 2m, 1h)");
            }
            double amount = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            double millis = switch (unit) {
                case "ms" -> amount;
                case "m" -> amount * 60_000;
                case "h" -> amount * 3_600_000;
                default -> amount * 1000;
            };
            return Duration.ofMillis(Math.round(millis));
        }
    }

    /**
     * Mosquitto's spellings of {@code -V}: {@code mqttv5} or {@code 5}, {@code mqttv311} or
     * {@code 311}, {@code mqttv31} or {@code 31}; also the version numbers {@code 5.0},
     * {@code 3.1.1}, {@code 3.1} and the protocol levels {@code 4} and {@code 3}.
     */
    static final class VersionConverter implements ITypeConverter<MqttVersion> {
        @Override
        public MqttVersion convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "mqttv5", "5", "5.0" -> MqttVersion.V5;
                case "mqttv311", "311", "3.1.1", "4" -> MqttVersion.V3_1_1;
                case "mqttv31", "31", "3.1", "3" -> MqttVersion.V3_1;
                default -> throw new TypeConversionException(
                        "the protocol version is mqttv5 (5), mqttv311 (311) or mqttv31 (31), not '" + value + "'");
            };
        }
    }

    /** {@code HOST:PORT}, an IPv6 address in brackets: {@code [::1]:1883}. */
    static final class BrokerConverter implements ITypeConverter<BrokerAddress> {
        @Override
        public BrokerAddress convert(String value) {
            try {
                return BrokerAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** 0, 1 or 2. */
    static final class QosConverter implements ITypeConverter<QoS> {
        @Override
        public QoS convert(String value) {
            return switch (value) {
                case "0" -> QoS.AT_MOST_ONCE;
                case "1" -> QoS.AT_LEAST_ONCE;
                case "2" -> QoS.EXACTLY_ONCE;
                default -> throw new TypeConversionException("the QoS is 0, 1 or 2, not '" + value + "'");
            };
        }
    }

    /** fan-in, fan-out or pairs. */
    static final class ShapeConverter implements ITypeConverter<Shape> {
        @Override
        public Shape convert(String value) {
            try {
                return Shape.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
