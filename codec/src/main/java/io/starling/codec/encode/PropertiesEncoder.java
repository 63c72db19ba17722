package io.starling.codec.encode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.VariableByteInteger;

/** Sizes and writes an MQTT 5.0 property list: its length, then identifier and value pairs. */
final class PropertiesEncoder {
    private PropertiesEncoder() {}

    /** Bytes of the property list without its length prefix. */
    static int contentSize(Properties properties) {
        int size = 0;
        for (Property p : properties.all()) {
            size += VariableByteInteger.size(p.id().id()) + valueSize(p);
        }
        return size;
    }

    /** Bytes of the property list with its length prefix. */
    static int size(Properties properties) {
        int content = contentSize(properties);
        return VariableByteInteger.size(content) + content;
    }

    static void write(ByteBuf out, Properties properties) {
        VariableByteInteger.write(out, contentSize(properties));
        for (Property p : properties.all()) {
            VariableByteInteger.write(out, p.id().id());
            switch (p.id().type()) {
                case BYTE -> out.writeByte((int) p.longValue());
                case TWO_BYTE_INTEGER -> out.writeShort((int) p.longValue());
                case FOUR_BYTE_INTEGER -> out.writeInt((int) p.longValue());
                case VARIABLE_BYTE_INTEGER -> VariableByteInteger.write(out, (int) p.longValue());
                case UTF8_STRING -> Primitives.writeString(out, p.stringValue());
                case BINARY_DATA -> Primitives.writeBinary(out, p.bytesValue());
                case UTF8_STRING_PAIR -> {
                    UserProperty pair = p.userProperty();
                    Primitives.writeString(out, pair.name());
                    Primitives.writeString(out, pair.value());
                }
            }
        }
    }

    private static int valueSize(Property p) {
        return switch (p.id().type()) {
            case BYTE -> 1;
            case TWO_BYTE_INTEGER -> 2;
            case FOUR_BYTE_INTEGER -> 4;
            case VARIABLE_BYTE_INTEGER -> VariableByteInteger.size((int) p.longValue());
            case UTF8_STRING -> 2 + ByteBufUtil.utf8Bytes(p.stringValue());
            case BINARY_DATA -> 2 + p.bytesValue().length();
            case UTF8_STRING_PAIR -> 4 + ByteBufUtil.utf8Bytes(p.userProperty().name())
                    + ByteBufUtil.utf8Bytes(p.userProperty().value());
        };
    }
}
