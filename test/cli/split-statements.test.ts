import { describe, expect, it } from 'vitest'
import { splitStatements, splitStatementsWithOffsets } from '../../src/tooling/split-statements.js'
import { listMigrations } from '../../src/tooling/migrations.js'

// Cases modelled on the Supabase CLI's parser tests (pkg/parser/state_test.go): the statements come
// back trimmed and without their terminating `;`, as SplitAndTrim returns them.
describe('splitStatements (the Supabase CLI splitter)', () => {
  const cases: Array<[string, string, string[]]> = [
    ['a line comment after a separator is a statement of its own', 'END;-- comment', ['END', '-- comment']],
    ['a separator inside a line comment does not split', 'SELECT --; 1', ['SELECT --; 1']],
    ['a lone dash is not a comment', '- ;END', ['-', 'END']],
    ['a line comment ends at the line break', '-- /* \n; */ END', ['-- /*', '*/ END']],
    ['a block comment hides a separator', 'SELECT /* ; */ 1;', ['SELECT /* ; */ 1']],
    ['block comments nest', 'SELECT /*; /*;*/ ;*/ 1', ['SELECT /*; /*;*/ ;*/ 1']],
    ['a slash and a star apart are no comment', '/ * ; */ END', ['/ *', '*/ END']],
    ['empty statements are dropped', ';END;;', ['END']],
    ['white space around statements goes', 'BEGIN   ;  END', ['BEGIN', 'END']],
    ['a backslash escapes a separator (TrimRight then takes every trailing ;)', '\\;;\\;', ['\\', '\\']],
    ['a named dollar quote hides a separator', '$tag$ any ; string$tag$', ['$tag$ any ; string$tag$']],
    ['an anonymous dollar quote hides quotes', `$$"Dane's horse"$$`, [`$$"Dane's horse"$$`]],
    ['a dollar in a quoted identifier opens nothing', 'SELECT "$"; $$', ['SELECT "$"', '$$']],
    ['a single quote hides a separator', "SELECT ';' 1", ["SELECT ';' 1"]],
    ['a doubled single quote stays inside the string', "SELECT ';'';' 1", ["SELECT ';'';' 1"]],
    ['a backslash inside a string escapes nothing', "SELECT '\\'; 1'", ["SELECT '\\'", "1'"]],
    ['a double-quoted identifier hides a separator', 'CREATE POLICY "cats;dogs" on cats_dogs; END', ['CREATE POLICY "cats;dogs" on cats_dogs', 'END']],
    ['a doubled double quote stays inside the identifier', 'CREATE POLICY "pet""name" on pets; END', ['CREATE POLICY "pet""name" on pets', 'END']],
    [
      'parentheses hide separators',
      'CREATE RULE notify_me AS ON UPDATE TO mytable DO (NOTIFY mytable; SELECT "1");SELECT 1',
      ['CREATE RULE notify_me AS ON UPDATE TO mytable DO (NOTIFY mytable; SELECT "1")', 'SELECT 1'],
    ],
    ['a BEGIN ATOMIC body is one statement', "begin atomic; select 'end'; end;select 2", ["begin atomic; select 'end'; end", 'select 2']],
    [
      'atomic inside an identifier opens no body',
      'CREATE FUNCTION fn_atomic() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  NULL;\nEND;\n$$;\nSELECT 1;',
      ['CREATE FUNCTION fn_atomic() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  NULL;\nEND;\n$$', 'SELECT 1'],
    ],
    ['comments stay with the statement they precede', '-- first\ncreate table t (id int);\n\n-- second\ndrop table t;\n', ['-- first\ncreate table t (id int)', '-- second\ndrop table t']],
  ]
  for (const [title, sql, expected] of cases) {
    it(title, () => expect(splitStatements(sql)).toEqual(expected))
  }

  it('gives where each statement starts', () => {
    const sql = 'select 1;\n\n  select 2;'
    expect(splitStatementsWithOffsets(sql)).toEqual([
      { text: 'select 1', offset: 0 },
      { text: 'select 2', offset: 13 },
    ])
  })

  it('splits every migration into statements that each end where a `;` did', () => {
    for (const m of listMigrations()) {
      const statements = splitStatements(m.sql)
      expect(statements.length, m.name).toBeGreaterThan(0)
      for (const s of statements) expect(m.sql).toContain(s)
    }
  })
})
