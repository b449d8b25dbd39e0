/// Keys, signatures and certificates made outside Coffer, so the tests check interoperability
/// rather than agreement of Coffer with itself. Test material only; never used elsewhere.
enum CryptoFixtures {
    // Made once with Python `cryptography` 48.0.0:
    //   k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    //   message = b"8c9a3a70-…|2026-11-21T16:48:00Z|WH-ID-123|%d" % zlib.crc32(body)
    //   k.private_bytes(PEM, TraditionalOpenSSL, NoEncryption())
    //   k.public_key().public_bytes(PEM, SubjectPublicKeyInfo)
    //   base64(k.sign(message, PKCS1v15(), SHA256())) and the same with SHA1()
    //   k.private_bytes(PEM, PKCS8, BestAvailableEncryption(b"pw"))
    //   ec.generate_private_key(SECP256R1()).public_key() as SubjectPublicKeyInfo PEM
    static let payPalBody = #"{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}"#
    static let payPalMessage = "8c9a3a70-1f4e-11ee-9d3d-0242ac120002|2026-11-21T16:48:00Z|WH-ID-123|2325436976"

    static let pythonPrivateKeyTraditionalPEM = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEpAIBAAKCAQEA2cJvr+gJFgi2CtZlT4SrOV1Y9OfzJFq/RImH2h4R+iSjIpo+
        rAHS47h5UdGBtQDoRGR1EcvjjSRT0KQLLFmI4rjL+xzoAC0HVOEmAXcH8CT4Kieu
        az81nFj2BpFr7iKovnqo6WsEz6sYIRIzJ5PcpiYNzqbKCDalFoOSDeJ+FrkQ7jEw
        KlbD6lv96S9CbpamDDLKs9jnKRthBi7Y+KP2UCHnKzGVy5quPXS2u24lf+7LOR76
        ZyWb+kMvyYfO5T2D45Ura35gu9L0DW82dLQ/IVZp+cbEDjqNRpz/HV/D0QwetQI3
        U0v3ZGerH17LaLinFqDrtn6VKpv/jNUmfvBnfwIDAQABAoIBAAk0VPM7BsigeqK6
        TZL5uSEWHIX8Q0SZ9LQUGiLH8EZCA9vuaCVuIvi5hKCcOfQpgyfXlTPjieKekqUN
        jLlbBCm32ktq0or7XEV5X4QNViUPnaZugfVfjnJljOoEferqxSDetMK/tswuX7k6
        IzZnjhqUc4ifd90MA5i62/1r7Ed6hswCZ5d/XbujJsSUsobdyxEypSYk3rgKiCmC
        lti98Ek2JZUvZ4rttWDLQ341HY8W8ZrVTAmsqL8B5iR83v/wymELXKAe40ceG2pG
        QKq1naRRmRuXALdOM2RRUxyirFLUknBtZ7chJ22eoLymUobmJNOLgPQnU+bH/0m8
        IbKyiZkCgYEA+C9x8J5WxpNfHwvN8dDlWmiRsWuwI4zLyRP3KqMOdxbBkF/oqlht
        lWVSgDO2RDwr5IccGI3hXFwSou35O06LgK1XzbFxC7v3q7PRWzJLaMySC1SWWEoF
        gdpNzY2akDZ2//DJ47FF5xfoGhRxC75HduFa8ikBqgWyQqasFzuoqjkCgYEA4J28
        prw6Z33P38R2a98665eE2ZEp9nYi8G2M7hWPu+UaCBbFr/OD0Fx8sJhjiy2gzFEM
        Tg1C+jsj3EBFS0MMy10D/hyMRV2e03Fh0vn+OLYGc7K3q5R/ti+DIucDSqkdziLR
        wA+rK4EvHmTTbOeamXMFZLzK/LkzC8SHhwvPf3cCgYBeE03zUXG/L9mcoRLdmLt3
        e6/OOu23bAVLISBNryUqixuwKEq/V2mieZe+NNvgHZbdt0E1JYLJSbVewSn6Cxni
        GtLvi1U4h3WoRi8TjIr9HJ43YUbkDJrtz9wyEH0IMT0GYzWD84x1vqAiUqFPPD9G
        lsGsjVKuKh6aGSeeXuTeMQKBgQCk7e3qGGhiOZV734x85OsktptMDjVbzZ8WH7rN
        z3M9KpqUufPqoMp3IpJEMYFWXuilXhXE8iPuDaLlRSQcgV1RrjkSS/ALtxS6eZS1
        D+/FwJK4PdBz4pRsODL4W9yk480I4bRWbKrpRPBORwaf/ugcKMMbFy2NqId86pAB
        b4CrPQKBgQDoo+mO4qM+/OfG3Hv7IWrKaCiG+6vLcZ49oBdbAPRofdW5DEgQ7zO5
        jqdotRlgWN0ocBGdgagbOXEaeIeQ/VhLZ91VLZ2azvmUv9pQoXP5qRnkKiC6SZIE
        AxgHdlHdfKk8/jo3LCQorKQfLDBSasE65d/3+iWyC5fgU/0AOkyVLg==
        -----END RSA PRIVATE KEY-----
        """

    static let pythonPublicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2cJvr+gJFgi2CtZlT4Sr
        OV1Y9OfzJFq/RImH2h4R+iSjIpo+rAHS47h5UdGBtQDoRGR1EcvjjSRT0KQLLFmI
        4rjL+xzoAC0HVOEmAXcH8CT4Kieuaz81nFj2BpFr7iKovnqo6WsEz6sYIRIzJ5Pc
        piYNzqbKCDalFoOSDeJ+FrkQ7jEwKlbD6lv96S9CbpamDDLKs9jnKRthBi7Y+KP2
        UCHnKzGVy5quPXS2u24lf+7LOR76ZyWb+kMvyYfO5T2D45Ura35gu9L0DW82dLQ/
        IVZp+cbEDjqNRpz/HV/D0QwetQI3U0v3ZGerH17LaLinFqDrtn6VKpv/jNUmfvBn
        fwIDAQAB
        -----END PUBLIC KEY-----

        """

    static let pythonSHA256Signature =
        "guVqq9kpp+bJHG9kJPHC7wFqCBIK+0heeQmJi5oN5SjpYYNo+mwsarPGHg7TOjOVTG6NfoA1Z3vn80t7l5MyqrrK/jKk+kx9hIR4cGDl8tVFEBRFXd"
        + "XxTEWBnwLdQDV3aceGyLFvQ8WFqFFz+B3U+t7x3o+0hrqkRyXXoZvee0QAgaQ4Qh+H+eb16Blp07g6OrOMhhVCBK4/T1Auy+UUBARJwQPF1aSXLfTO"
        + "x2ojM8GzZ/d+EZcuLLVqYq+54nAoHdz4eY5ccWzbNvp0YphMyBnta1SfOQPHx3K7Nc1KRXEjG652QyZeh521NzS5KjvhKx5PjTKPaYVyQ9dOYR6FhA=="

    static let pythonSHA1Signature =
        "z35i9DY1bvQ7xiGw5VN09QdxQXBj/uKRB26JjVZoaqhCoGE1AqJseZuUhnZLKOnSvEGsQGmKvlg3PG5JoDnnQb0IM5YLz2COTNHbq+XPyQtit48wCn"
        + "wFTG8KGeluYJTGNB7A88oRMr0vIQu6N7B0ohcOt+s/pEvX8U7sxN1JNc2q3BlykbNp49IjQzOViHf+ZwIJHpZk+eOfl+WLrNijxS5aGMzzFAL3n6cp"
        + "QEL5Nje7MTQALpGNWCqNEpahr252Xnk/8s87lNRK05CR9v0HkZWOgm/LJ6l+eghPo13aY+89Ukvnm3cc5yugt6rTRy8m7L4wV55aKG/FHWQehW0MNA=="

    static let pythonEncryptedPrivateKeyPEM = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIIFNTBfBgkqhkiG9w0BBQ0wUjAxBgkqhkiG9w0BBQwwJAQQulojFgfwIvs5RHB6
        lmi3zQICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEHNEqf6K6ez/foBb
        3zxOd/AEggTQN130DgThSw7muhZbfioGN1aNVcVuMdzyuqFTSZPdlj74ShD0toNj
        c3c/Z/apMtVJZ2zPWgar2lJ/cqUPJwjyzYsAe9Z5g64YmAsE2iUAU4Q6QnCbPwRm
        Mbt1p3fbgtQc/jMCRICieAgifNFmjhzPrKRhmuQrrUE4Jcg1ijptZ9kqxLP52nlG
        /CkGX2ObOXVvtEw1QDIG0TKDuVNgyQ7X6t1/h6k9+Mi/ynSak27CesbyjwIJzlNE
        rYqOpv5cgcrnhuZNIVSoxUMSLc+2XTY8ACvFMEIvLdL1c+hhH9fksWEYiWu7JSyx
        gBLOws3B+FH/uhstcoqaKsd89Y3y3Z+2UAwzagWReeWz7wNT8MkNBv0Jg1yK9goU
        fFpwrA95kLKaLpX7wrjbnpEv0Agd1My7wghewjkH5cuLTktahR5pN3grfCPrl7MV
        hGhVQJlzebqMz8MftG62qnzwLyZ/L4/R141BLcJqWxilWXSktUV4etlhsV+GzU4k
        5rXNna47IouC5/P2j4IqbtLe+VNGIl52EDagdDY0RmouvPr/9PPkhEM5h4yN1tJH
        ABpQOQq6pcpZuNlEIZxqU6FWS4zqQsQvtZclXPcHUzcM7B30DWuXQFSxw+M4L+so
        nF8eYAPtIlRR1ZOvNZP+E1HlRpjqcONo7/6zaGhJBk3mYsb92efkRVnSkFEAtK1T
        npFXAivByrskcyqUrtC+MzMHN4P3jWW0+TQarNfZ42YiKyfstNOdscO/7h2B1V8U
        g1FDtp4fbvvDkmXTE6Fs/mH2wfujocN+zQXK1OLc93HxGFRdySmpqMwPAuhHssV7
        7NkIcfMnInUFjA2CHDmZDXKfbrVv7F/MeNQgrmg/rDYaDoT84LBffGFU9H/tcv4k
        pw7vo+zzL4ohXi1BmF19SvdfxsI6pbGqUfOj8r+CgOiZtqU7o/Bo395Snic4jofk
        qVsB2io4S5cJKmSOQPYJCXZVFKyDWOOzcoo4Of6GZCyc7fC+Tm4AzYWPA1oeysGv
        qQHocLlDAOs7xkCrQ89KowWtLYBQLsObzg9LvJI85r76+3DdGBOggqAD0vk9jNXU
        Vdzmgkxq1XAde3UPeRc/0qbPnKNNyN9FEjnywCFlxEz/R9KIBFCGsWAk5pwWTWLI
        CzXQAASoDTBOWfv6Nm9RHET9Yu3GZZhTMmhmJZp2CDltSwUtL1lsfQZ9gL9862NE
        YQgcHh9tCZIihJwHraWUpgTWtEGAtYtmqkVlRPMFmq+yoOwdvzFzitVyLsgjxpPa
        8K4Z60FYeKognQIkyDjF5mFpFEOYxatLsWGTWjkQCHHBKZkWCVwoeULRRy72sO4v
        WpUY5nFoiMxyPwsinHQ09Q42l0s7VCJdMUNqcaEH/BK9KuYA7k2xtVbgDQxapVzw
        3kt1YtEZxMh8M+LVribDByspCqmsLi6vIwZgLsjml4LDDp4jfeu6UD9ImaBCvt5E
        XTQyiPZJVcCZyEijJeZjtGXa4x6P9pQctZxAFHC8I6Q8zbROn/kWWian4VlZyV38
        uI/czPkEeQWglWvV5EZeiAKP4rJ73AIq6j0sG+orAIohuYihZmVNwBsMKzWTbprg
        Lnvm0IjjgewSCg2nLschKjf9M8Eq7QnG/rm0RCliICTPxRdo4Hc4D9s=
        -----END ENCRYPTED PRIVATE KEY-----
        """

    static let ecPublicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERAfbiqDNU83XyhxrW07c3oy5RK/a
        W6euGFEd4hFxMlmdPJTB1CCYxd5XgGnT4i2x0/gPWU5e+fYZSvENP0BMiA==
        -----END PUBLIC KEY-----
        """

    // Made once with Python `cryptography` x509.CertificateBuilder: a root "Coffer Test Root CA"
    // (O=Coffer Test Roots, C=US, serial 0x1000, 2025-01-01..2035-01-01, CA:TRUE critical,
    // keyCertSign+cRLSign, SKI) and a leaf it signed with SHA-256: C=US, ST=California,
    // O="PayPal, Inc.", CN=messageverificationcerts.paypal.com, serial 0x0a1b2c3d4e5f,
    // 2026-01-15T12:00:00Z..2027-01-15T12:00:00Z, CA:FALSE critical, SAN with two DNS names, AKI.
    // Python reported the leaf's SHA-256 fingerprint and RFC 4514 names used in the tests.
    static let pythonLeafAndRootPEM = """
        -----BEGIN CERTIFICATE-----
        MIIDujCCAqKgAwIBAgIGChssPU5fMA0GCSqGSIb3DQEBCwUAMEcxCzAJBgNVBAYT
        AlVTMRowGAYDVQQKDBFDb2ZmZXIgVGVzdCBSb290czEcMBoGA1UEAwwTQ29mZmVy
        IFRlc3QgUm9vdCBDQTAeFw0yNjAxMTUxMjAwMDBaFw0yNzAxMTUxMjAwMDBaMGcx
        CzAJBgNVBAYTAlVTMRMwEQYDVQQIDApDYWxpZm9ybmlhMRUwEwYDVQQKDAxQYXlQ
        YWwsIEluYy4xLDAqBgNVBAMMI21lc3NhZ2V2ZXJpZmljYXRpb25jZXJ0cy5wYXlw
        YWwuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuZa/sXHyM7SJ
        8xCtNP/d15jtmP2kCzJw5B6K4xaRmfXLc+kOt8P7YrR/M9jGBlSFokhvsWLHrB5b
        r/cdQXnPn4ur3+OsxTyO7pQJOB3ACkpp/JOqlqSgFXjVJDhRDiE7M3oiK3wd1T2E
        a3T7wyITqs91rG7+hqJh+1/ZA/hOaq3g3TuS/CSBGw8MjyXmOAmk8Ly7hidcSUPN
        UXpvqapRHTWzYiwJivF3FhAd69wLTdrMHruT7ZJ+KMhHubxocZ1v/UvCjiFDnBdT
        NvR3JgeAtZ7WWgaP2rc6VyBGwiiITgGRgC1k+UOa+l2RRELluZVXdkZENfkANl+f
        NZ3WAnQG2QIDAQABo4GLMIGIMAwGA1UdEwEB/wQCMAAwVwYDVR0RBFAwToIjbWVz
        c2FnZXZlcmlmaWNhdGlvbmNlcnRzLnBheXBhbC5jb22CJ3d3dy5tZXNzYWdldmVy
        aWZpY2F0aW9uY2VydHMucGF5cGFsLmNvbTAfBgNVHSMEGDAWgBSLl13O9oK0INh5
        Qn0fn0AoaaoMdzANBgkqhkiG9w0BAQsFAAOCAQEAdqmCXIkhnZ/zKN39mOTc35pG
        9SAdz3Ll3h8wiwwBjMq+MfGg51OYJXdyUa8HMUGx2js1iVgIjkxxc0YZ+nQ3OBU1
        Sw1oHqyg58k8fjaWei6mOlFunIUWXglUgkHn4orRNrDR5tSVPlbc0nKaagIrR8nW
        avjSTAQ3VknWYkWi/mi1iVqeTsrjkmzXPpgTTDfUqp5B+ThZrhIqT8Xs3pMnrr5j
        g0fK57WaUj+Z7+aJOKrF8ETcwsri98BnDkZFZ9cnpSVSnIknhs9bIuEWZ+Ts0GFv
        /CMezjuYKqsdBFsYJj8FX0CnnPPtHfCI9O45aav4o2XQuu0CtVbprow1gAM0ZQ==
        -----END CERTIFICATE-----
        -----BEGIN CERTIFICATE-----
        MIIDTDCCAjSgAwIBAgICEAAwDQYJKoZIhvcNAQELBQAwRzELMAkGA1UEBhMCVVMx
        GjAYBgNVBAoMEUNvZmZlciBUZXN0IFJvb3RzMRwwGgYDVQQDDBNDb2ZmZXIgVGVz
        dCBSb290IENBMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEwMTAwMDAwMFowRzELMAkG
        A1UEBhMCVVMxGjAYBgNVBAoMEUNvZmZlciBUZXN0IFJvb3RzMRwwGgYDVQQDDBND
        b2ZmZXIgVGVzdCBSb290IENBMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC
        AQEA9u+kBdLFfpoiM/DUsQNQUm38FQNO3/4R/V8gPNJKlSXMZ+B6rroWK4MWFEXt
        1gPTrXo9KUaH2gQYCNCD3MVVTwBg4oXDr6G+Wuc04bd1PxvcU23huXfUtUF8hM/b
        WZ3Cw3nmB58znsqa5ziLkR6/PxPfboHU1F9MdCQM6kCPk04yfJ0zPXW4pLSeKIfC
        yaqPNjXqr7hgMFKrxIM+DKapgxu7oyvfz6Bdq9+dPf2jSTU29zh5bjPZTGCJ06u2
        xmmjemcesI5bogk14ZKmgoUAu2IjcUrRIF/nkVbhc9j3XCtnSzgUlMb5r5QurdjD
        zjsUhqMZCHsZGz835Swqq+h+pwIDAQABo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4G
        A1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUi5ddzvaCtCDYeUJ9H59AKGmqDHcwDQYJ
        KoZIhvcNAQELBQADggEBABpTK3zrBqd7Ngr6cOUlKRazhfSmKvIjidEkO3k9Yzbd
        dG9ayiO+p2NcSCOJgClgY1SKmvhLvOopwyftXTjR0Xn0gjEVvjDs6TgpLOgg7G1K
        eK4u8uD3tv2YV7VdGPmBnvxNfzqGps9SmfgFWfT9UoeIRWKTtt8NenV9zCqpEsHt
        UtoHjxjePdls7R0gjimFkJ0MMQFAAzsmiZgurLcsgFBAdEtTprcothZ/3Ht1KxkX
        7dw4DS8bNUYZNg5u/E+7kZ8HVV0cxF2w9B6BL2xZgsW39BkuzJ36/+SPNbJfeGJ8
        1tixVTyMriIPEtzgDQy6ILV8EhIxj33i8RyD8aixbTg=
        -----END CERTIFICATE-----
        """
    static let pythonLeafFingerprint = "9ef6c80b85a21b8a5ac6da4ece8352d49fc8e66c6cc8a328e4c4af444008d4de"
}
