package io.starling.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link ScriptedServer}s of a test and the clients that talk to them, closed after each test
 * (the clients first). A field: {@code @RegisterExtension final ScriptedClients scripted = new ScriptedClients();}.
 */
final class ScriptedClients implements AfterEachCallback {
    private final List<AutoCloseable> opened = new ArrayList<>();

    ScriptedServer server() throws IOException {
        ScriptedServer server = new ScriptedServer();
        opened.add(server);
        return server;
    }

    /** A client of {@code server} built from {@code builder}, without reconnects. */
    MqttClient client(ScriptedServer server, MqttClientBuilder builder) {
        return closeAfter(builder.host("127.0.0.1").port(server.port()).reconnect(ReconnectPolicy.DISABLED).build());
    }

    /** Closes {@code client}, before any server, after the test. */
    MqttClient closeAfter(MqttClient client) {
        opened.add(0, client);
        return client;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable resource : opened) {
            resource.close();
        }
        opened.clear();
    }
}
