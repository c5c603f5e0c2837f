/**
 * The catalogue of every control ml-guard cites, one table per framework: official identifier -> short official
 * title. A citation outside these tables does not compile. Each identifier was checked against the published text
 * named in docs/compliance.md; add one only after checking it the same way (a wrong citation in compliance evidence
 * is worse than none).
 */

/** HIPAA Security Rule, 45 CFR Part 164 Subpart C (standards and implementation specifications). */
export const HIPAA = {
  '164.308(a)(1)(ii)(D)': 'Information system activity review',
  '164.308(a)(6)(ii)': 'Response and reporting',
  '164.312(a)(1)': 'Access control',
  '164.312(a)(2)(iv)': 'Encryption and decryption',
  '164.312(b)': 'Audit controls',
  '164.312(c)(1)': 'Integrity',
  '164.312(d)': 'Person or entity authentication',
  '164.312(e)(1)': 'Transmission security',
} as const;

/** PCI DSS v4.0 (numbering unchanged in v4.0.1): defined-approach requirement numbers. */
export const PCI_DSS = {
  '1.4.4': 'System components that store cardholder data are not directly accessible from untrusted networks',
  '3.5.1': 'PAN is rendered unreadable anywhere it is stored',
  '7.2.2': 'Access is assigned based on job classification and least privileges',
  '8.2.6': 'Inactive user accounts are removed or disabled within 90 days of inactivity',
  '8.3.6': 'Passwords/passphrases meet the minimum level of complexity',
  '8.6.3': 'Passwords/passphrases for application and system accounts are protected against misuse',
  '10.2.1': 'Audit logs are enabled and active for all system components and cardholder data',
  '10.2.1.6': 'Audit logs capture initialization, starting, stopping or pausing of audit logs',
  '10.2.1.7': 'Audit logs capture creation and deletion of system-level objects',
  '10.3.1': 'Read access to audit logs files is limited to those with a job-related need',
  '10.3.4': 'File integrity monitoring or change-detection mechanisms is used on audit logs',
  '10.7.2': 'Failures of critical security control systems are detected, alerted and addressed promptly',
  '11.5.1': 'Intrusion-detection and/or intrusion-prevention techniques detect and/or prevent intrusions',
  '12.10.1': 'An incident response plan exists and is ready to be activated',
  '12.10.5': 'The incident response plan includes monitoring and responding to alerts from security monitoring systems',
} as const;

/** ISO/IEC 27001:2022 Annex A (the controls of ISO/IEC 27002:2022). */
export const ISO_27001 = {
  'A.5.15': 'Access control',
  'A.5.17': 'Authentication information',
  'A.5.25': 'Assessment and decision on information security events',
  'A.5.26': 'Response to information security incidents',
  'A.5.28': 'Collection of evidence',
  'A.8.2': 'Privileged access rights',
  'A.8.3': 'Information access restriction',
  'A.8.5': 'Secure authentication',
  'A.8.15': 'Logging',
  'A.8.16': 'Monitoring activities',
  'A.8.20': 'Networks security',
  'A.8.24': 'Use of cryptography',
} as const;

/** NIST SP 800-53 Rev. 5 base controls (no enhancements are cited). */
export const NIST_800_53 = {
  'AC-3': 'Access Enforcement',
  'AC-6': 'Least Privilege',
  'AU-5': 'Response to Audit Logging Process Failures',
  'AU-6': 'Audit Record Review, Analysis, and Reporting',
  'AU-9': 'Protection of Audit Information',
  'AU-12': 'Audit Record Generation',
  'IA-5': 'Authenticator Management',
  'IR-4': 'Incident Handling',
  'IR-5': 'Incident Monitoring',
  'SC-7': 'Boundary Protection',
  'SC-28': 'Protection of Information at Rest',
  'SI-4': 'System Monitoring',
} as const;

export type HipaaCitation = keyof typeof HIPAA;
export type PciDssRequirement = keyof typeof PCI_DSS;
export type Iso27001Control = keyof typeof ISO_27001;
export type Nist80053Control = keyof typeof NIST_800_53;

export type Framework = 'hipaa' | 'pciDss' | 'iso27001' | 'nist80053';

/** Each framework: the name a person reads, the text its identifiers come from, and its table. */
export const FRAMEWORKS: Record<Framework, { label: string; text: string; controls: Readonly<Record<string, string>> }> = {
  hipaa: { label: 'HIPAA', text: 'HIPAA Security Rule, 45 CFR 164.308 and 164.312', controls: HIPAA },
  pciDss: { label: 'PCI DSS', text: 'PCI DSS v4.0', controls: PCI_DSS },
  iso27001: { label: 'ISO 27001', text: 'ISO/IEC 27001:2022 Annex A', controls: ISO_27001 },
  nist80053: { label: 'NIST', text: 'NIST SP 800-53 Rev. 5', controls: NIST_800_53 },
};

/** The order frameworks appear in, in every line and table. */
export const FRAMEWORK_ORDER: readonly Framework[] = ['hipaa', 'pciDss', 'iso27001', 'nist80053'];
