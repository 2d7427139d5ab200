/**
 * The tools the MCP server offers, sorted: written out here rather than read from
 * the server, so a tool lost or added shows in the specs that list the server's tools.
 */
export const TOOL_NAMES = [
  'calculate_mastery',
  'get_learning_path',
  'get_student_knowledge',
  'get_student_mastery',
  'list_students_at_risk',
  'predict_mastery',
  'record_response',
] as const;
