/** Authentication of connecting clients. */
@NullMarked
package io.starling.broker.internal.auth;

import org.jspecify.annotations.NullMarked;

