package io.starling.broker;

import io.starling.broker.auth.PasswordFile;
import io.starling.broker.auth.TokenFile;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.internal.acl.AclFile;
import io.starling.broker.internal.transport.ServerTls;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a configuration check ({@code --check-config}) and a live reload (SIGHUP) do: read every
 * file a configuration names, and for a reload, swap what can change while running once
 * everything new has been read and checked, so that a reload happens whole or not at all.
 */
final class BrokerReload {
    private static final Logger log = LoggerFactory.getLogger(BrokerReload.class);

    private BrokerReload() {}

    /** Reads every file {@code config} names; returns the warnings, throws on the first problem. */
    static List<String> check(BrokerConfig config) throws ConfigException {
        return read(config).warnings();
    }

    /** Everything a configuration names, read and checked, ready to be put in force. */
    private record Files(@Nullable PasswordFile passwords, @Nullable AclFile aclFile, List<String> warnings) {}

    private static Files read(BrokerConfig config) throws ConfigException {
        List<String> warnings = new ArrayList<>();
        PasswordFile passwords = config.passwordFile() == null ? null : PasswordFile.load(config.passwordFile());
        if (passwords != null) {
            warnings.addAll(passwords.warnings());
        }
        AclFile aclFile = config.aclFile() == null ? null : AclFile.load(config.aclFile());
        for (BrokerConfig.Listener listener : config.listeners()) {
            if (listener.tls() != null) {
                ServerTls.check(listener.tls());
            }
        }
        BrokerConfig.Http http = config.http();
        if (http != null) {
            // the HTTP listener's own files: it reads them again itself on a reload
            if (http.passwordFile() != null) {
                warnings.addAll(PasswordFile.load(http.passwordFile()).warnings());
            }
            if (http.tokenFile() != null) {
                TokenFile.load(http.tokenFile());
            }
            if (http.tls() != null) {
                ServerTls.check(http.tls());
            }
        }
        return new Files(passwords, aclFile, warnings);
    }

    /**
     * Reads what {@code next} names and swaps it into {@code broker}; returns the configuration now
     * in force: {@code next}'s reloadable parts on top of {@code current}.
     */
    static BrokerConfig apply(Broker broker, BrokerConfig current, BrokerConfig next) throws ConfigException {
        List<BrokerConfig.Listener> listeners = reloadableListeners(current, next);
        BrokerConfig effective = current.withPasswordFile(next.passwordFile()).withAllowAnonymous(next.allowAnonymous())
                .withAclFile(next.aclFile()).withLimits(next.limits()).withListeners(listeners);
        Files files = read(effective);
        // the certificates last: they are read again, all or none, and replaced only if all are good
        broker.reloadTls();
        // everything is read and checked: from here on nothing can fail
        broker.replaceLimits(effective.limits());
        broker.replaceConnectionLimits(effective);
        broker.replaceAclFile(files.aclFile());
        broker.replaceAuthentication(effective, files.passwords());
        for (String warning : files.warnings()) {
            log.warn("{}", warning);
        }
        List<String> restart = needingRestart(effective, next);
        if (!restart.isEmpty()) {
            log.warn("reload: {} changed; a restart is needed for that, until then the old values stay", String.join(", ", restart));
        }
        log.info("configuration reloaded");
        return effective;
    }

    /** The listeners in force with {@code next}'s connection limits, where the listeners are otherwise the same. */
    private static List<BrokerConfig.Listener> reloadableListeners(BrokerConfig current, BrokerConfig next) {
        List<BrokerConfig.Listener> listeners = new ArrayList<>(current.listeners());
        for (int i = 0; i < listeners.size() && i < next.listeners().size(); i++) {
            BrokerConfig.Listener now = listeners.get(i);
            BrokerConfig.Listener wanted = next.listeners().get(i);
            if (wanted.withConnectionLimits(now.maxConnections(), now.maxConnectionRate()).equals(now)) {
                listeners.set(i, wanted);
            }
        }
        return listeners;
    }

    /** The YAML names of the parts of {@code wanted} that differ from {@code effective}. */
    private static List<String> needingRestart(BrokerConfig effective, BrokerConfig wanted) {
        List<String> names = new ArrayList<>();
        for (RecordComponent component : BrokerConfig.class.getRecordComponents()) {
            try {
                Object now = component.getAccessor().invoke(effective);
                Object then = component.getAccessor().invoke(wanted);
                if (!Objects.equals(now, then)) {
                    names.add(component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT));
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + component.getName() + " of a BrokerConfig", e);
            }
        }
        return names;
    }
}
