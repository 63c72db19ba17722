package io.starling.cli.version;

import picocli.CommandLine.IVersionProvider;

/** The {@code --version} of every command: reports the version recorded in the jar's manifest. */
public final class StarlingVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = StarlingVersion.class.getPackage().getImplementationVersion();
        return new String[] {"starling " + (version != null ? version : "(development build)")};
    }
}
