export { ensureCa, type CertificateAuthority } from './certificate-authority.js';
export {
  issueDeviceCertificate,
  issueServerCertificate,
  issueServiceCertificate,
  type IssueOptions,
} from './issue-certificate.js';
export {
  keyAndCertificatePaths,
  readKeyAndCertificate,
  writeKeyAndCertificate,
  type KeyAndCertificate,
} from './certificate-files.js';
export {
  CERTIFICATE_ORGANISATION,
  CERTIFICATE_ROLES,
  roleFromOrganisationalUnit,
  type CertificateRole,
} from './certificate-role.js';
export {
  checkIssuedCertificate,
  subjectAttribute,
  type IssuedCertificateCheck,
  type IssuedCertificateFacts,
} from './certificate-check.js';
