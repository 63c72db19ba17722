/**
 * The service provider interface: what a plug-in implements to extend the broker. Public and
 * documented; the types here change only with the release notes saying so.
 *
 * <p>Storage: a {@link io.starling.broker.spi.PersistenceProvider} found with {@link
 * java.util.ServiceLoader} opens the {@link io.starling.broker.spi.Persistence} that keeps
 * persistent sessions and retained messages across restarts ({@code starling-store-rocksdb} is
 * one). Without a provider on the class path the broker keeps everything in memory.
 *
 * <p>Authentication: an {@link io.starling.broker.spi.Authenticator} found the same way (or passed
 * to {@code Broker.start}) decides about user names and passwords before the broker's password
 * file; an {@link io.starling.broker.spi.AuthenticationMechanism} carries out MQTT 5.0 enhanced
 * authentication for the Authentication Method it names.
 */
@NullMarked
package io.starling.broker.spi;

import org.jspecify.annotations.NullMarked;

