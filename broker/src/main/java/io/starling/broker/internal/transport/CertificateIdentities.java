package io.starling.broker.internal.transport;

import io.starling.broker.config.BrokerConfig.CertificateIdentity;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.jspecify.annotations.Nullable;

/**
 * The identity a client certificate gives ({@code use_identity_as_username}): its subject's common
 * name, or the first subject alternative name of a kind (RFC 5280 §4.2.1.6).
 */
final class CertificateIdentities {
    /** GeneralName tags as {@link X509Certificate#getSubjectAlternativeNames()} reports them (RFC 5280 §4.2.1.6). */
    private static final int RFC822_NAME = 1;
    private static final int DNS_NAME = 2;
    private static final int URI = 6;

    private CertificateIdentities() {
    }

    /** What {@code certificate} says for {@code kind}, or null when it has none. */
    static @Nullable String identity(X509Certificate certificate, CertificateIdentity kind) {
        return switch (kind) {
            case CN -> commonName(certificate);
            case SAN_DNS -> alternativeName(certificate, DNS_NAME);
            case SAN_EMAIL -> alternativeName(certificate, RFC822_NAME);
            case SAN_URI -> alternativeName(certificate, URI);
        };
    }

    /** The subject's most specific CN (the first written in RFC 2253 order), or null. */
    static @Nullable String commonName(X509Certificate certificate) {
        try {
            LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
            // LdapName lists RDNs right to left, the most significant (C=...) first: the holder's CN comes last
            List<Rdn> rdns = name.getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                Rdn rdn = rdns.get(i);
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
            return null;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    private static @Nullable String alternativeName(X509Certificate certificate, int tag) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return null;
        }
        if (names == null) {
            return null;
        }
        for (List<?> name : names) {
            if (name.size() >= 2 && name.get(0) instanceof Integer type && type == tag && name.get(1) instanceof String value) {
                return value;
            }
        }
        return null;
    }
}
