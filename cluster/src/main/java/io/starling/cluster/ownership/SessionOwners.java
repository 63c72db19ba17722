package io.starling.cluster.ownership;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.raft.StateMachine;
import org.jspecify.annotations.Nullable;

/**
 * The replicated table of session owners: client identifier to the name of the node that holds
 * its session. jgroups-raft applies the same commands in the same order on every member, so every
 * member's table is the same once it has caught up; a command is committed (and its caller told)
 * only when a majority has it, so two nodes can never both be granted one client identifier.
 *
 * <p>Commands: CLAIM (this node now owns the session; answers the owner before, if any), RELEASE
 * (sessions that ended on a node: removed where that node still owns them) and CLAIM_IF (the
 * sessions a node that died owned, for the node holding their replicas: granted only those that
 * dead node still owns; answers which).
 */
public final class SessionOwners implements StateMachine {
    static final byte CLAIM = 1;
    static final byte RELEASE = 2;
    static final byte CLAIM_IF = 3;
    static final byte OWNERS = 4;

    private final ConcurrentHashMap<String, String> owners = new ConcurrentHashMap<>();

    /** The owner this member knows of, or null; may lag behind the majority's (for display, not decisions). */
    public @Nullable String owner(String clientId) {
        return owners.get(clientId);
    }

    /** How many sessions have an owner. */
    public int size() {
        return owners.size();
    }

    /** Sessions per owner, as this member knows them. */
    public Map<String, Integer> countByNode() {
        Map<String, Integer> counts = new HashMap<>();
        owners.values().forEach(node -> counts.merge(node, 1, Integer::sum));
        return counts;
    }

    static byte[] claim(String clientId, String node) {
        return command(CLAIM, node, "", List.of(clientId));
    }

    static byte[] release(String node, Collection<String> clientIds) {
        return command(RELEASE, node, "", clientIds);
    }

    static byte[] owners(Collection<String> clientIds) {
        return command(OWNERS, "", "", clientIds);
    }

    static byte[] claimIf(String node, String expectedOwner, Collection<String> clientIds) {
        return command(CLAIM_IF, node, expectedOwner, clientIds);
    }

    private static byte[] command(byte kind, String node, String expected, Collection<String> clientIds) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + clientIds.size() * 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(kind);
            out.writeUTF(node);
            out.writeUTF(expected);
            out.writeInt(clientIds.size());
            for (String clientId : clientIds) {
                out.writeUTF(clientId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The answer to a CLAIM: the owner before, or null. */
    static @Nullable String previousOwner(byte @Nullable [] answer) {
        if (answer == null || answer.length == 0) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer))) {
            return in.readUTF();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The answer to a CLAIM_IF: the client identifiers granted. */
    static List<String> granted(byte @Nullable [] answer) {
        if (answer == null || answer.length == 0) {
            return List.of();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer))) {
            int n = in.readInt();
            List<String> granted = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                granted.add(in.readUTF());
            }
            return granted;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length));
        byte kind = in.readByte();
        String node = in.readUTF();
        String expected = in.readUTF();
        int n = in.readInt();
        List<String> clientIds = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            clientIds.add(in.readUTF());
        }
        switch (kind) {
            case CLAIM -> {
                String before = null;
                for (String clientId : clientIds) {
                    before = owners.put(clientId, node);
                }
                if (!serializeResponse || before == null) {
                    return new byte[0];
                }
                ByteArrayOutputStream answer = new ByteArrayOutputStream(before.length() + 2);
                try (DataOutputStream out = new DataOutputStream(answer)) {
                    out.writeUTF(before);
                }
                return answer.toByteArray();
            }
            case RELEASE -> {
                for (String clientId : clientIds) {
                    owners.remove(clientId, node);
                }
                return new byte[0];
            }
            case CLAIM_IF -> {
                List<String> granted = new ArrayList<>();
                for (String clientId : clientIds) {
                    if (owners.replace(clientId, expected, node)) {
                        granted.add(clientId);
                    }
                }
                if (!serializeResponse) {
                    return new byte[0];
                }
                ByteArrayOutputStream answer = new ByteArrayOutputStream(8 + granted.size() * 24);
                try (DataOutputStream out = new DataOutputStream(answer)) {
                    out.writeInt(granted.size());
                    for (String clientId : granted) {
                        out.writeUTF(clientId);
                    }
                }
                return answer.toByteArray();
            }
            case OWNERS -> {
                // a read, through the leader: the owners as the majority has them now ("" for none)
                ByteArrayOutputStream answer = new ByteArrayOutputStream(8 + clientIds.size() * 24);
                try (DataOutputStream out = new DataOutputStream(answer)) {
                    out.writeInt(clientIds.size());
                    for (String clientId : clientIds) {
                        String owner = owners.get(clientId);
                        out.writeUTF(owner == null ? "" : owner);
                    }
                }
                return answer.toByteArray();
            }
            default -> throw new IllegalArgumentException("unknown session ownership command " + kind);
        }
    }

    @Override
    public void readContentFrom(DataInput in) throws Exception {
        int n = in.readInt();
        Map<String, String> read = new HashMap<>();
        for (int i = 0; i < n; i++) {
            read.put(in.readUTF(), in.readUTF());
        }
        owners.clear();
        owners.putAll(read);
    }

    @Override
    public void writeContentTo(DataOutput out) throws Exception {
        Map<String, String> copy = Map.copyOf(owners);
        out.writeInt(copy.size());
        for (Map.Entry<String, String> e : copy.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }
}
