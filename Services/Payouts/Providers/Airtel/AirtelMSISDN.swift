/// Airtel takes the payee's number without its country code (`971234567` in Zambia), in the country
/// the connector's `X-Country` names; Coffer keeps MSISDNs in international form (`260971234567`).
enum AirtelMSISDN {
    /// Calling codes of the countries Airtel Money operates in.
    static let callingCodes: [String: String] = [
        "CD": "243", "CG": "242", "GA": "241", "KE": "254", "MG": "261", "MW": "265", "NE": "227", "NG": "234",
        "RW": "250", "SC": "248", "TD": "235", "TZ": "255", "UG": "256", "ZM": "260",
    ]

    /// The number without the country's code when it starts with it; as given otherwise (a country
    /// missing from the table, or a number already local).
    static func local(_ msisdn: String, country: String) -> String {
        guard let code = callingCodes[country.uppercased()], msisdn.hasPrefix(code), msisdn.count > code.count else {
            return msisdn
        }
        return String(msisdn.dropFirst(code.count))
    }
}
