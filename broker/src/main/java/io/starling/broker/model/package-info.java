/**
 * The message model that routing, sessions and stores share: an application message as the
 * broker holds it, and where a delivery of it sits in a store. Depends on nothing of the broker.
 */
@NullMarked
package io.starling.broker.model;

import org.jspecify.annotations.NullMarked;

