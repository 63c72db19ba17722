/** The broker's configuration: the immutable {@link io.starling.broker.config.BrokerConfig} and its YAML loader. */
@NullMarked
package io.starling.broker.config;

import org.jspecify.annotations.NullMarked;
