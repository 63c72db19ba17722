package io.starling.http.api;

import io.starling.broker.config.ConfigException;
import java.util.List;

/** Reads the configuration file again and applies it, as SIGHUP does; returns the warnings. */
@FunctionalInterface
public interface ConfigurationReload {
    List<String> reload() throws ConfigException;
}
