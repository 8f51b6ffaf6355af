/**
 * Top-level fields of a model description that 0.4 and 0.5 share (with small
 * differences in what is required), and the weights map.
 */
import type { IAuthor, ICitation, IFileRef, IModelDescription } from './types';
import { field, item, IssueLog } from './errors';
import {
  isAbsent,
  isMap,
  RawMap,
  readList,
  readMap,
  readString,
  readStringList,
  typeName
} from './read';

/** Which family's rules apply. */
export type FormatFamily = '0.4' | '0.5';

/** Top-level keys each family defines (everything else goes to `extra`). */
const KNOWN_KEYS_COMMON = [
  'format_version',
  'type',
  'name',
  'description',
  'authors',
  'maintainers',
  'cite',
  'license',
  'documentation',
  'covers',
  'attachments',
  'git_repo',
  'icon',
  'links',
  'tags',
  'version',
  'id',
  'id_emoji',
  'timestamp',
  'inputs',
  'outputs',
  'weights',
  'parent',
  'training_data',
  'packaged_by',
  'run_mode',
  'config',
  'uploader'
];
const KNOWN_KEYS: Record<FormatFamily, Set<string>> = {
  '0.4': new Set([
    ...KNOWN_KEYS_COMMON,
    'test_inputs',
    'test_outputs',
    'sample_inputs',
    'sample_outputs',
    'download_url',
    'rdf_source',
    'version_number'
  ]),
  '0.5': new Set([...KNOWN_KEYS_COMMON, 'version_comment'])
};

/** The model fields that are not tensors, weights or tolerances. */
export type IMetadata = Omit<
  IModelDescription,
  | 'inputs'
  | 'outputs'
  | 'weights'
  | 'tolerances'
  | 'formatFamily'
  | 'formatVersion'
  | 'warnings'
>;

/** Read and check the metadata fields of a model description. */
export function readMetadata(
  raw: RawMap,
  family: FormatFamily,
  log: IssueLog
): IMetadata {
  const is04 = family === '0.4';
  // Fields that 0.5.5+ made optional ("FAIR" fields) only warn when missing.
  const fair = (key: string): void => {
    if (raw[key] === undefined || raw[key] === null) {
      log.warn(
        key,
        'missing; recommended so that users can judge and cite the model'
      );
    }
  };

  const name = readString(log, raw, 'name', '', { required: true }) ?? '';
  if (name && !is04) {
    if (name.length < 5 || name.length > 128) {
      log.error('name', `must be 5 to 128 characters long, got ${name.length}`);
    }
    // The spec restricts 0.5 names to these characters; consumers only show the name,
    // so a stray character is not worth refusing a model for.
    if (!/^[A-Za-z0-9_\- ()]+$/.test(name)) {
      log.warn(
        'name',
        'should only contain letters, digits, "_", "-", "(", ")" and spaces'
      );
    }
  }
  const description =
    readString(log, raw, 'description', '', { required: is04 }) ?? '';
  if (!is04) {
    fair('description');
  }
  const authors = readAuthors(log, raw, 'authors', is04);
  if (!is04) {
    fair('authors');
  }
  const maintainers = readAuthors(log, raw, 'maintainers', false);
  const license = readString(log, raw, 'license', '', { required: is04 });
  // A file name, or (0.5.11+) a file description {source, sha256}.
  const documentationFile = isAbsent(raw.documentation)
    ? undefined
    : readFileRef(log, raw.documentation, 'documentation');
  if (is04 && documentationFile === undefined && isAbsent(raw.documentation)) {
    log.error(
      'documentation',
      'missing required field; add documentation: README.md'
    );
  }
  const documentation = documentationFile?.source;
  const coverFiles = (readList(log, raw, 'covers', '') ?? [])
    .map((c, i) => readFileRef(log, c, item('covers', i)))
    .filter((c): c is IFileRef => c !== undefined);
  if (!is04) {
    fair('license');
    fair('documentation');
  }
  const timestamp = readString(log, raw, 'timestamp', '', { required: is04 });
  const config = readMap(log, raw, 'config', '') ?? {};
  const legacyBioimageio = isMap(config.bioimageio) ? config.bioimageio : {};

  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN_KEYS[family].has(key)) {
      extra[key] = value;
      log.warn(key, `unknown field for format ${family}; kept but ignored`);
    }
  }

  return {
    type: 'model',
    // 0.4.10 fills a missing id from the legacy nickname; we do the same for every 0.4.
    id:
      readString(log, raw, 'id', '') ??
      nickname(legacyBioimageio, 'nickname', is04),
    idEmoji:
      readString(log, raw, 'id_emoji', '') ??
      nickname(legacyBioimageio, 'nickname_icon', is04),
    name,
    description,
    version: readString(log, raw, 'version', '', { acceptNumber: true }),
    versionComment: is04
      ? undefined
      : readString(log, raw, 'version_comment', ''),
    authors,
    maintainers,
    cite: readCitations(log, raw),
    license,
    documentation,
    documentationFile,
    covers: coverFiles.map(c => c.source),
    coverFiles,
    attachments: readAttachments(log, raw, family),
    tags: readStringList(log, raw, 'tags', ''),
    gitRepo: readString(log, raw, 'git_repo', ''),
    links: readStringList(log, raw, 'links', ''),
    trainingData: readMap(log, raw, 'training_data', ''),
    timestamp,
    config,
    extra
  };
}

function nickname(
  bioimageio: RawMap,
  key: string,
  is04: boolean
): string | undefined {
  const value = bioimageio[key];
  return is04 && typeof value === 'string' ? value : undefined;
}

function readAuthors(
  log: IssueLog,
  raw: RawMap,
  key: string,
  required: boolean
): IAuthor[] {
  const list =
    readList(log, raw, key, '', { required, nonEmpty: required }) ?? [];
  const authors: IAuthor[] = [];
  list.forEach((entry, i) => {
    const path = item(key, i);
    if (!isMap(entry)) {
      log.error(
        path,
        `expected a mapping with at least a name, got ${typeName(entry)}`
      );
      return;
    }
    const author: IAuthor = {
      name: readString(log, entry, 'name', path, {
        required: key === 'authors'
      }),
      affiliation: readString(log, entry, 'affiliation', path),
      email: readString(log, entry, 'email', path),
      orcid: readString(log, entry, 'orcid', path),
      githubUser: readString(log, entry, 'github_user', path)
    };
    if (key === 'maintainers' && !author.githubUser) {
      log.error(
        field(path, 'github_user'),
        'missing required field; maintainers need a GitHub user name'
      );
    }
    authors.push(author);
  });
  return authors;
}

function readCitations(log: IssueLog, raw: RawMap): ICitation[] {
  const list = readList(log, raw, 'cite', '') ?? [];
  const out: ICitation[] = [];
  list.forEach((entry, i) => {
    const path = item('cite', i);
    if (!isMap(entry)) {
      log.error(
        path,
        `expected a mapping {text, doi, url}, got ${typeName(entry)}`
      );
      return;
    }
    const text = readString(log, entry, 'text', path, { required: true }) ?? '';
    const doi = readString(log, entry, 'doi', path);
    const url = readString(log, entry, 'url', path);
    if (!doi && !url) {
      log.warn(path, 'a citation should have a doi or a url');
    }
    out.push({ text, doi, url });
  });
  return out;
}

/** 0.4 `attachments: {files: [...]}`; 0.5 a list of `{source, sha256}`. */
function readAttachments(
  log: IssueLog,
  raw: RawMap,
  family: FormatFamily
): IFileRef[] {
  if (family === '0.4') {
    const attachments = readMap(log, raw, 'attachments', '');
    if (!attachments) {
      return [];
    }
    return readStringList(log, attachments, 'files', 'attachments').map(
      source => ({ source })
    );
  }
  if (isMap(raw.attachments)) {
    // Some 0.5 files (e.g. QuPath's) still use the 0.4 form {files: [...]}.
    log.warn(
      'attachments',
      'uses the format 0.4 form {files: [...]}; format 0.5 expects a list of {source, sha256}'
    );
    return readAttachments(log, raw, '0.4');
  }
  const list = readList(log, raw, 'attachments', '') ?? [];
  const out: IFileRef[] = [];
  list.forEach((entry, i) => {
    const ref = readFileRef(log, entry, item('attachments', i));
    if (ref) {
      out.push(ref);
    }
  });
  return out;
}

/**
 * Whether a test-tensor source names an .npy file. URLs are only required to
 * mention `.npy` in their path, because hosts such as Zenodo append `/content`.
 */
export function isNpySource(source: string): boolean {
  return /^https?:\/\//i.test(source)
    ? /\.npy(\/|$|\?)/.test(source)
    : source.endsWith('.npy');
}

/** A `{source, sha256?}` mapping (0.5) or a bare source string (0.4 lists). */
export function readFileRef(
  log: IssueLog,
  value: unknown,
  path: string
): IFileRef | undefined {
  if (typeof value === 'string') {
    return { source: value };
  }
  if (!isMap(value)) {
    log.error(
      path,
      `expected a file reference {source, sha256}, got ${typeName(value)}`
    );
    return undefined;
  }
  const source = readString(log, value, 'source', path, { required: true });
  const sha256 = readString(log, value, 'sha256', path);
  if (sha256 !== undefined && sha256.length !== 64) {
    log.error(
      field(path, 'sha256'),
      `must be 64 hexadecimal characters, got ${sha256.length} (${typeName(sha256)}); copy the file's full SHA-256 (sha256sum FILE)`
    );
  } else if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    // The reference only checks the length; the file check will then fail.
    log.warn(
      field(path, 'sha256'),
      'is not hexadecimal, so no file can match it; copy the output of sha256sum FILE'
    );
  }
  return source === undefined
    ? undefined
    : { source, sha256: sha256?.toLowerCase() };
}
