import { useState } from "react";

/** The open tasks of one owner, with a form to add one. */
export default function App({ tasks, onAdd }) {
  const [title, setTitle] = useState("");
  const submit = (event) => {
    event.preventDefault();
    const t = title.trim();
    if (!t) return;
    onAdd(t);
    setTitle("");
  };
  return (
    <main>
      {tasks.length === 0 ? (
        <p>Nothing to do.</p>
      ) : (
        <ul>
          {tasks.map((t) => (
            <li key={t.id}>{t.title}</li>
          ))}
        </ul>
      )}
      <form onSubmit={submit}>
        <label htmlFor="title">New task</label>
        <input id="title" value={title} onChange={(e) => setTitle(e.target.value)} />
        <button type="submit">Add</button>
      </form>
    </main>
  );
}
