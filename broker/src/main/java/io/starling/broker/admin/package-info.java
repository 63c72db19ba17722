/**
 * What an operator may see and do on a running broker ({@code Broker.admin()}): its clients,
 * sessions, subscriptions and retained messages, publishing, and watching a topic filter. The
 * HTTP admin API and the dashboard are built on it; an embedding application may use it directly.
 */
@NullMarked
package io.starling.broker.admin;

import org.jspecify.annotations.NullMarked;
