package io.starling.codec.property;

import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.PacketType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The properties of an MQTT 5.0 packet or will, in wire order. MQTT 3.1 and 3.1.1 packets carry
 * {@link #EMPTY}; encoding a packet for those versions leaves properties out.
 */
public record Properties(List<Property> all) {
    public static final Properties EMPTY = new Properties(List.of());

    public Properties {
        all = List.copyOf(all);
    }

    public static Properties of(Property... properties) {
        return properties.length == 0 ? EMPTY : new Properties(List.of(properties));
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    /** The value of an integer property, if present. */
    public OptionalLong integer(PropertyId id) {
        for (Property p : all) {
            if (p.id() == id) {
                return OptionalLong.of(p.longValue());
            }
        }
        return OptionalLong.empty();
    }

    /** The value of a string property, if present. */
    public Optional<String> string(PropertyId id) {
        for (Property p : all) {
            if (p.id() == id) {
                return Optional.of(p.stringValue());
            }
        }
        return Optional.empty();
    }

    /** The value of a binary property, if present. */
    public Optional<Bytes> binary(PropertyId id) {
        for (Property p : all) {
            if (p.id() == id) {
                return Optional.of(p.bytesValue());
            }
        }
        return Optional.empty();
    }

    public boolean contains(PropertyId id) {
        for (Property p : all) {
            if (p.id() == id) {
                return true;
            }
        }
        return false;
    }

    /** Every user property, in order. */
    public List<UserProperty> userProperties() {
        List<UserProperty> result = new ArrayList<>();
        for (Property p : all) {
            if (p.id() == PropertyId.USER_PROPERTY) {
                result.add(p.userProperty());
            }
        }
        return result;
    }

    /** Every subscription identifier, in order (a PUBLISH carries one per matching subscription). */
    public List<Long> subscriptionIdentifiers() {
        List<Long> result = new ArrayList<>();
        for (Property p : all) {
            if (p.id() == PropertyId.SUBSCRIPTION_IDENTIFIER) {
                result.add(p.longValue());
            }
        }
        return result;
    }

    /**
     * Throws if a property may not appear in this packet type (or in a will, with
     * {@code will}), or appears more often than allowed. Packets check their properties with this
     * so that every packet value can be encoded.
     */
    public Properties requireAllowedIn(PacketType type, boolean will) {
        if (all.isEmpty()) {
            return this;
        }
        Set<PropertyId> seen = EnumSet.noneOf(PropertyId.class);
        for (Property p : all) {
            PropertyId id = p.id();
            boolean allowed = will ? id.isAllowedInWill() : id.isAllowedIn(type);
            if (!allowed) {
                throw new IllegalArgumentException(id + " is not allowed in " + (will ? "will properties" : type));
            }
            if (!seen.add(id) && !(will ? id == PropertyId.USER_PROPERTY : id.isRepeatableIn(type))) {
                throw new IllegalArgumentException(id + " may appear only once in " + (will ? "will properties" : type));
            }
        }
        return this;
    }
}
