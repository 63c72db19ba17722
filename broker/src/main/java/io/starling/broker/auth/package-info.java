/** Authentication of connecting clients. */
@NullMarked
package io.starling.broker.auth;

import org.jspecify.annotations.NullMarked;
