/**
 * Runs the `curl` commands of a docs example without curl: each command (backslash-newline
 * continuations joined) is split like a shell would (quotes, `$VAR` in double quotes) and its
 * `-X`, `-H`, `-d` and URL are sent with fetch. Enough for the admin API examples, and it fails
 * loudly on any flag it does not know, so an example cannot drift into something untested.
 */
export interface CurlResult {
  readonly command: string;
  readonly status: number;
  readonly body: string;
}

export async function runCurlExamples(
  block: string,
  env: Record<string, string>,
  rewriteUrl: (url: string) => string,
): Promise<CurlResult[]> {
  const commands = block
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .filter((line) => line.trim().startsWith("curl "));
  const results: CurlResult[] = [];
  for (const command of commands) {
    const words = shellWords(command, env).slice(1);
    let method = "GET";
    let body: string | undefined;
    let url: string | undefined;
    const headers: Record<string, string> = {};
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      if (word === "-s") continue;
      else if (word === "-X") method = words[++i]!;
      else if (word === "-H") {
        const header = words[++i]!;
        headers[header.slice(0, header.indexOf(":")).trim()] = header.slice(header.indexOf(":") + 1).trim();
      } else if (word === "-d") {
        body = words[++i];
        if (method === "GET") method = "POST";
      } else if (word.startsWith("http")) url = word;
      else throw new Error(`curl example: unknown argument ${word} in: ${command}`);
    }
    if (url === undefined) throw new Error(`curl example without a URL: ${command}`);
    const response = await fetch(rewriteUrl(url), {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    results.push({ command, status: response.status, body: await response.text() });
  }
  return results;
}

/** Shell word splitting for one line: single quotes literal, double quotes expand $VAR. */
function shellWords(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      const end = line.indexOf('"', i + 1);
      word += line.slice(i + 1, end).replace(/\$(\w+)/g, (_, name: string) => env[name] ?? "");
      i = end;
      inWord = true;
    } else if (ch === " ") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
